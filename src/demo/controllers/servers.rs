//! Sidero's side: Servers of a ServerClass, allocated to a MetalMachine and given back.

use serde_json::{Value, json};

use super::MGMT;
use crate::demo::emulator::Emulator;
use crate::model::kinds;

/// A free Server of `class`: accepted, not in use, clean, not cordoned.
pub(super) fn free_server(emu: &Emulator, class: &str) -> Option<Value> {
    let class = emu.get(MGMT, &kinds::SERVER_CLASS, None, class)?;
    class
        .pointer("/status/serversAvailable")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|n| emu.get(MGMT, &kinds::SERVER, None, n))
        .find(|s| {
            s["spec"]["accepted"] == true
                && s["spec"]["cordoned"] != true
                && s["status"]["inUse"] != true
        })
}

/// Moves `server` between `serversAvailable` and `serversInUse` of every ServerClass listing it.
pub(super) fn server_in_classes(emu: &Emulator, server: &str, in_use: bool) {
    for c in emu.list(MGMT, &kinds::SERVER_CLASS) {
        let lists = |k: &str| -> Vec<String> {
            c.pointer(&format!("/status/{k}"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (mut avail, mut used) = (lists("serversAvailable"), lists("serversInUse"));
        if !avail.iter().chain(&used).any(|s| s == server) {
            continue;
        }
        avail.retain(|s| s != server);
        used.retain(|s| s != server);
        if in_use {
            used.push(server.to_string());
        } else {
            avail.push(server.to_string());
        }
        avail.sort();
        used.sort();
        let name = c["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        emu.modify(MGMT, &kinds::SERVER_CLASS, None, &name, |o| {
            o["status"]["serversAvailable"] = json!(avail);
            o["status"]["serversInUse"] = json!(used);
        });
    }
}

pub(super) fn server_of(emu: &Emulator, m: &Value) -> Option<String> {
    let ns = m["metadata"]["namespace"].as_str();
    let infra = m.pointer("/spec/infrastructureRef/name")?.as_str()?;
    let mm = emu.get(MGMT, &kinds::METAL_MACHINE, ns, infra)?;
    mm.pointer("/spec/serverRef/name")
        .and_then(Value::as_str)
        .map(str::to_string)
}
