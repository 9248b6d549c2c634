//! Strict checks of core Kubernetes kinds through the k8s-openapi types.
//!
//! k8s-openapi's types accept unknown fields silently, so deserialization is wrapped twice:
//! `serde_ignored` reports every field the type did not consume (a typo such as `imgae`), and
//! `serde_path_to_error` gives the path of the first type error (`replicas: "3"`).
//! Deserialization fills a missing required field with its default, so required fields are
//! checked separately against the type's generated JSON schema (k8s-openapi's `schemars`
//! feature, which carries the OpenAPI `required` lists).

use k8s_openapi::api::{
    apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, core::v1 as core,
    networking::v1 as networking, policy::v1 as policy, rbac::v1 as rbac,
    scheduling::v1 as scheduling, storage::v1 as storage,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::schema::TypedProblem;
use super::yaml::PathSeg;

type Checker = fn(Json) -> Vec<TypedProblem>;

/// Deserializes `value` as `T`, collecting unknown fields and the first type error, then checks
/// the fields `T`'s schema requires.
fn check_typed<T: DeserializeOwned + JsonSchema>(value: Json) -> Vec<TypedProblem> {
    let mut problems = Vec::new();
    let schema = schema_of::<T>();
    let mut path = Vec::new();
    missing_required(&value, &schema, &schema, &mut path, &mut problems);
    let mut unknown = Vec::new();
    let mut record = |p: serde_ignored::Path<'_>| unknown.push(ignored_path(&p));
    let de = serde_ignored::Deserializer::new(value, &mut record);
    let result: Result<T, _> = serde_path_to_error::deserialize(de);
    for path in unknown {
        let name = match path.last() {
            Some(PathSeg::Key(k)) => k.clone(),
            _ => String::new(),
        };
        problems.push((path, format!("unknown field \"{name}\""), true));
    }
    if let Err(e) = result {
        let path: Vec<PathSeg> = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Seq { index } => Some(PathSeg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(PathSeg::Key(key.clone())),
                _ => None,
            })
            .collect();
        problems.push((path, e.into_inner().to_string(), false));
    }
    problems
}

/// The generated schema of `T`, built once per type.
fn schema_of<T: JsonSchema>() -> Arc<Json> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Arc<Json>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let name = std::any::type_name::<T>();
    if let Some(s) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return s.clone();
    }
    let generator = schemars::generate::SchemaSettings::openapi3().into_generator();
    let schema = Arc::new(generator.into_root_schema_for::<T>().to_value());
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name, schema.clone());
    schema
}

/// Reports each field that `schema` requires and `value` lacks, walking the fields present.
fn missing_required(
    value: &Json,
    schema: &Json,
    root: &Json,
    path: &mut Vec<PathSeg>,
    out: &mut Vec<TypedProblem>,
) {
    let schema = resolve(schema, root);
    match value {
        Json::Object(map) => {
            for r in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str())
            {
                if !map.contains_key(r) {
                    // Reported at the key that holds this object.
                    out.push((
                        path.clone(),
                        format!("missing required field \"{r}\""),
                        true,
                    ));
                }
            }
            for (k, v) in map {
                let sub = match schema["properties"].get(k) {
                    Some(s) => s,
                    None if schema["additionalProperties"].is_object() => {
                        &schema["additionalProperties"]
                    }
                    None => continue,
                };
                path.push(PathSeg::Key(k.clone()));
                missing_required(v, sub, root, path, out);
                path.pop();
            }
        }
        Json::Array(items) if schema["items"].is_object() => {
            for (i, item) in items.iter().enumerate() {
                path.push(PathSeg::Index(i));
                missing_required(item, &schema["items"], root, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Follows `$ref: "#/…"` within the root schema.
fn resolve<'a>(mut schema: &'a Json, root: &'a Json) -> &'a Json {
    for _ in 0..16 {
        match schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| root.pointer(p))
        {
            Some(s) => schema = s,
            None => break,
        }
    }
    schema
}

fn ignored_path(p: &serde_ignored::Path<'_>) -> Vec<PathSeg> {
    let mut out = match p {
        serde_ignored::Path::Root => return Vec::new(),
        serde_ignored::Path::Seq { parent, .. }
        | serde_ignored::Path::Map { parent, .. }
        | serde_ignored::Path::Some { parent }
        | serde_ignored::Path::NewtypeStruct { parent }
        | serde_ignored::Path::NewtypeVariant { parent } => ignored_path(parent),
    };
    match p {
        serde_ignored::Path::Seq { index, .. } => out.push(PathSeg::Index(*index)),
        serde_ignored::Path::Map { key, .. } => out.push(PathSeg::Key(key.clone())),
        _ => {}
    }
    out
}

/// Checks an object's `metadata` as `ObjectMeta`.
pub fn check_metadata(value: Json) -> Vec<TypedProblem> {
    check_typed::<ObjectMeta>(value)
}

macro_rules! core_kinds {
    ($($t:ty),* $(,)?) => {
        /// The checker for a core kind, or `None` for kinds k8s-openapi does not know.
        pub fn checker(api_version: &str, kind: &str) -> Option<Checker> {
            $(
                if api_version == <$t as k8s_openapi::Resource>::API_VERSION
                    && kind == <$t as k8s_openapi::Resource>::KIND
                {
                    return Some(check_typed::<$t>);
                }
            )*
            None
        }
    };
}

core_kinds!(
    core::Namespace,
    core::ConfigMap,
    core::Secret,
    core::Service,
    core::ServiceAccount,
    core::PersistentVolume,
    core::PersistentVolumeClaim,
    core::Pod,
    core::LimitRange,
    core::ResourceQuota,
    core::Endpoints,
    apps::Deployment,
    apps::StatefulSet,
    apps::DaemonSet,
    apps::ReplicaSet,
    batch::Job,
    batch::CronJob,
    networking::NetworkPolicy,
    networking::Ingress,
    networking::IngressClass,
    storage::StorageClass,
    storage::CSIDriver,
    rbac::Role,
    rbac::RoleBinding,
    rbac::ClusterRole,
    rbac::ClusterRoleBinding,
    policy::PodDisruptionBudget,
    autoscaling::HorizontalPodAutoscaler,
    scheduling::PriorityClass,
    apiextensions::CustomResourceDefinition,
);
