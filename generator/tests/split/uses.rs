//! Compiled against both forms of the crate (whole and split): the same paths and calls.

use split_demo::models::{
    AlphaColor, AlphaItem, AlphaItemCreateParams, AlphaItemCreateParamsMood, BetaThing, BetaThingRetrieveError, GammaPairListParamsMood, Shared,
};

#[allow(dead_code)]
async fn calls(client: &split_demo::Client) -> Result<(), split_demo::Error> {
    let item: AlphaItem = client.alpha().items().list().await?;
    let shared: Option<Shared> = item.shared;
    let _ = (shared, item.color.as_ref().map(AlphaColor::as_str));
    let created: Shared = client
        .alpha()
        .items()
        .create(AlphaItemCreateParams { title: "t".into(), ..Default::default() })
        .await?;
    let _ = created.name;
    // Two names for one set of values are one type.
    let mood: AlphaItemCreateParamsMood = GammaPairListParamsMood::Busy;
    let _ = client.gamma().pairs().list().mood(mood).await?;
    match client.beta().things().retrieve("id").await {
        Ok(thing) => {
            let thing: BetaThing = thing;
            let _ = thing.item.and_then(|i| i.shared);
        }
        Err(e) => {
            let _ = e.detail::<BetaThingRetrieveError>();
        }
    }
    Ok(())
}

#[test]
fn builds_a_client() {
    let client = split_demo::Client::builder().base_url("http://127.0.0.1:9").build();
    assert!(client.is_ok());
}

/// The shared crate's runtime module does not reach `models::*` as a `de` beside serde's.
#[allow(dead_code, unused_imports)]
mod globs {
    use serde::*;
    use split_demo::models::*;

    fn named(_: Option<&dyn de::Expected>) {}
}
