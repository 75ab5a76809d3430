//! Boxing: a struct field (or union variant) that holds, by value, a type in its own strongly
//! connected component would make the type infinitely large, so it is `Box`ed.

use std::collections::{BTreeMap, HashMap};

use crate::ir::*;

/// Boxes struct fields that would otherwise make a type contain itself.
pub(super) fn box_cycles(types: &mut BTreeMap<String, TypeDef>) {
    // Direct (unboxed) edges: a struct field or union variant holding a named type by value.
    fn direct(ty: &Ty) -> Option<&str> {
        match ty {
            Ty::Named(n) => Some(n),
            Ty::Option(inner) => direct(inner),
            _ => None,
        }
    }
    let names: Vec<String> = types.keys().cloned().collect();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for (i, n) in names.iter().enumerate() {
        let tys: Vec<&Ty> = match &types[n].kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            TypeKind::Alias(t) => vec![t],
            // Nothing holds an operation's error enum, so it closes no cycle.
            TypeKind::Enum { .. } | TypeKind::ErrorBody(_) => vec![],
        };
        for t in tys {
            if let Some(j) = direct(t).and_then(|d| index.get(d)) {
                edges[i].push(*j);
            }
        }
    }
    let comp = scc(&edges);
    for (i, n) in names.iter().enumerate() {
        let t = types.get_mut(n).expect("name from keys");
        match &mut t.kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    if let Some(j) = direct(&f.ty).and_then(|d| index.get(d)) {
                        f.boxed = comp[*j] == comp[i];
                    }
                }
            }
            TypeKind::Union(u) => {
                for v in &mut u.variants {
                    if let Some(j) = direct(&v.ty).and_then(|d| index.get(d)) {
                        v.boxed = comp[*j] == comp[i];
                    }
                }
            }
            _ => {}
        }
    }
}

/// Strongly connected components (iterative Tarjan, so a long chain cannot exhaust the
/// stack); returns a component id per node. Ids are given as components are completed, so
/// every component's id is above those of all components it has edges to.
pub(crate) fn scc(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut ncomp = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some(top) = work.len().checked_sub(1) {
            let (v, ei) = work[top];
            if ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if ei < edges[v].len() {
                work[top].1 += 1;
                let w = edges[v][ei];
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = ncomp;
                        if w == v {
                            break;
                        }
                    }
                    ncomp += 1;
                }
            }
        }
    }
    comp
}
