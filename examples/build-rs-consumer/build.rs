//! Generates the pets client into `OUT_DIR/api.rs`, a module of this crate at `crate::api`.

fn main() {
    println!("cargo:rerun-if-changed=pets.yaml");
    println!("cargo:rerun-if-changed=codegen.yaml");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let settings = generator::Settings::new("pets.yaml").config("codegen.yaml").module("crate::api");
    if let Err(e) = settings.write_to(&out_dir) {
        panic!("generating the pets client: {e}");
    }
}
