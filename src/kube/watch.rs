//! One watch: one kind on one cluster, parsed into our models and sent to the core.
//!
//! The task discovers which version of the kind's group the server serves (newest we know
//! first), then runs kube-runtime's watcher (list, then watch from the list's resourceVersion;
//! it relists by itself after a 410 Gone). A complete list arrives as one `Reset`, so a relist
//! replaces the objects at once and never blanks the screen. Any other error ends that watcher:
//! the error is reported (the core marks the source stale and keeps its objects), and after a
//! capped exponential backoff (0.8 s doubling to 30 s) a new watcher lists again; its `Reset`
//! marks the source live.

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::watcher::{self, DefaultBackoff, Event};
use kube::{Client, ResourceExt};
use serde_json::Value;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::now;
use super::protocol::{Entry, KindStatus, LiveMsg, ObjKey, SourceId};
use crate::model::kinds::{self, KindInfo};

/// How the watch stands after an error.
enum Failure {
    Forbidden(String),
    NotInstalled,
    /// The watcher relists by itself (410 Gone): not a failure the user needs to see.
    Relisting,
    /// The server lists but does not watch this resource (405, as an aggregated API such as
    /// K10's actions may answer): list it again every `POLL_EVERY` instead.
    WatchUnsupported,
    Other(String),
}

/// How often a kind that cannot be watched is listed again.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

fn classify(e: &watcher::Error) -> Failure {
    let api = match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.as_ref()),
        watcher::Error::WatchError(s) => Some(s.as_ref()),
        _ => None,
    };
    match api {
        Some(s) if s.code == 403 => Failure::Forbidden(s.message.clone()),
        Some(s) if s.code == 404 => Failure::NotInstalled,
        Some(s) if s.code == 410 => Failure::Relisting,
        Some(s) if s.code == 405 && !matches!(e, watcher::Error::InitialListFailed(_)) => {
            Failure::WatchUnsupported
        }
        Some(s) => Failure::Other(format!("{} {}: {}", s.code, s.reason, s.message)),
        None => Failure::Other(short_error(e)),
    }
}

/// The innermost cause of an error, which says what happened ("Connection refused").
fn short_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg = s.to_string();
        cur = s.source();
    }
    if msg.len() > 200 {
        msg.truncate(200);
    }
    msg
}

/// The served version of the kind's group we understand best; `None` when the group is absent.
pub async fn served_version(client: &Client, kind: &KindInfo) -> Result<Option<String>, String> {
    if kind.group.is_empty() {
        return Ok(Some(kind.versions[0].to_string()));
    }
    let req = http::Request::get(format!("/apis/{}", kind.group))
        .body(Vec::new())
        .map_err(|e| e.to_string())?;
    match client
        .request::<k8s_openapi::apimachinery::pkg::apis::meta::v1::APIGroup>(req)
        .await
    {
        Ok(group) => Ok(kind
            .versions
            .iter()
            .find(|v| group.versions.iter().any(|g| g.version == **v))
            .map(|v| v.to_string())),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
        Err(kube::Error::Api(s)) if s.code == 403 => Err(format!("forbidden: {}", s.message)),
        Err(e) => Err(short_error(&e)),
    }
}

/// Parses one object into the core's entry; malformed objects become `Entry::Broken`.
pub fn entry(kind: &KindInfo, mut obj: DynamicObject) -> (ObjKey, Entry) {
    let key = ObjKey::new(obj.metadata.namespace.as_deref(), &obj.name_any());
    // Not needed by any view, and the last-applied annotation can embed anything.
    obj.metadata.managed_fields = None;
    if let Some(a) = obj.metadata.annotations.as_mut() {
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    let mut v = obj.data;
    if let Value::Object(map) = &mut v {
        if let Some(t) = &obj.types {
            map.insert("apiVersion".into(), Value::String(t.api_version.clone()));
            map.insert("kind".into(), Value::String(t.kind.clone()));
        }
        map.insert(
            "metadata".into(),
            serde_json::to_value(&obj.metadata).unwrap_or(Value::Null),
        );
    }
    let e = match crate::model::parse(kind, &v) {
        Ok(Some(o)) => Entry::Ok(o),
        Ok(None) => Entry::Broken {
            error: format!("{} is not modelled", kind.kind),
        },
        Err(err) => Entry::Broken {
            error: err.to_string(),
        },
    };
    (key, e)
}

/// Runs the watch until the task is aborted.
pub async fn run(
    client: Client,
    source: SourceId,
    kind: &'static KindInfo,
    tx: mpsc::Sender<LiveMsg>,
) {
    let send = |m: LiveMsg| {
        let tx = tx.clone();
        async move { tx.send(m).await.is_ok() }
    };
    let status = |status: KindStatus| LiveMsg::Status {
        source: source.clone(),
        kind,
        status,
        at: now(),
    };
    let mut backoff = DefaultBackoff::default();
    let mut poll = false;
    loop {
        let version = match served_version(&client, kind).await {
            Ok(Some(v)) => v,
            Ok(None) => {
                if !send(status(KindStatus::NotInstalled)).await {
                    return;
                }
                // CRDs may be installed later.
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                continue;
            }
            Err(e) => {
                let st = if e.starts_with("forbidden") {
                    KindStatus::Forbidden { message: e }
                } else {
                    KindStatus::Failed {
                        since: now(),
                        error: e,
                    }
                };
                if !send(status(st)).await {
                    return;
                }
                tokio::time::sleep(backoff.next().unwrap_or_default()).await;
                continue;
            }
        };
        let ar = ApiResource {
            group: kind.group.to_string(),
            version: version.clone(),
            api_version: kinds::api_version(kind.group, &version),
            kind: kind.kind.to_string(),
            plural: kind.plural.to_string(),
        };
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
        let cfg = watcher::Config::default().page_size(500);
        let mut stream = watcher::watcher(api, cfg).boxed();
        let mut buffer: Vec<(ObjKey, Entry)> = Vec::new();
        debug!(source = %source, kind = kind.kind, %version, "watch started");
        while let Some(ev) = stream.next().await {
            let msg = match ev {
                Ok(Event::Init) => {
                    buffer.clear();
                    continue;
                }
                Ok(Event::InitApply(o)) => {
                    buffer.push(entry(kind, o));
                    continue;
                }
                Ok(Event::InitDone) => {
                    backoff = DefaultBackoff::default();
                    info!(source = %source, kind = kind.kind, objects = buffer.len(), "listed");
                    LiveMsg::Reset {
                        source: source.clone(),
                        kind,
                        objects: std::mem::take(&mut buffer),
                        at: now(),
                    }
                }
                Ok(Event::Apply(o)) => {
                    let (key, entry) = entry(kind, o);
                    LiveMsg::Apply {
                        source: source.clone(),
                        kind,
                        key,
                        entry,
                        at: now(),
                    }
                }
                Ok(Event::Delete(o)) => LiveMsg::Delete {
                    source: source.clone(),
                    kind,
                    key: ObjKey::new(o.metadata.namespace.as_deref(), &o.name_any()),
                    at: now(),
                },
                Err(e) => match classify(&e) {
                    Failure::Relisting => {
                        debug!(source = %source, kind = kind.kind, "watch expired; relisting");
                        continue;
                    }
                    Failure::Forbidden(message) => {
                        warn!(source = %source, kind = kind.kind, "forbidden");
                        if !send(status(KindStatus::Forbidden { message })).await {
                            return;
                        }
                        break;
                    }
                    Failure::NotInstalled => {
                        if !send(status(KindStatus::NotInstalled)).await {
                            return;
                        }
                        break;
                    }
                    Failure::WatchUnsupported => {
                        // The list arrived (and stays on screen, live): list again later.
                        debug!(source = %source, kind = kind.kind, "no watch; polling");
                        poll = true;
                        break;
                    }
                    Failure::Other(error) => {
                        warn!(source = %source, kind = kind.kind, %error, "watch failed");
                        if !send(status(KindStatus::Failed {
                            since: now(),
                            error,
                        }))
                        .await
                        {
                            return;
                        }
                        break;
                    }
                },
            };
            if !send(msg).await {
                return;
            }
        }
        drop(stream);
        let wait = if std::mem::take(&mut poll) {
            POLL_EVERY
        } else {
            backoff.next().unwrap_or_default()
        };
        tokio::time::sleep(wait).await;
    }
}
