//! Key inflection: a Persona webhook can send its keys kebab-case (the default), camelCase or
//! snake_case. Only object keys change; values such as `type` and event names stay as they are.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Casing {
    #[default]
    Kebab,
    Camel,
    Snake,
}

impl Casing {
    pub const ALL: [Casing; 3] = [Casing::Kebab, Casing::Camel, Casing::Snake];

    pub fn as_str(self) -> &'static str {
        match self {
            Casing::Kebab => "kebab",
            Casing::Camel => "camel",
            Casing::Snake => "snake",
        }
    }

    pub fn parse(s: &str) -> Option<Casing> {
        Casing::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Rewrites every object key of `value` (written kebab-case) in this casing.
    pub fn apply(self, value: Value) -> Value {
        if self == Casing::Kebab {
            return value;
        }
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(key, value)| (self.key(&key), self.apply(value)))
                    .collect::<Map<_, _>>(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.apply(v)).collect()),
            other => other,
        }
    }

    fn key(self, kebab: &str) -> String {
        match self {
            Casing::Kebab => kebab.to_string(),
            Casing::Snake => kebab.replace('-', "_"),
            Casing::Camel => {
                let mut out = String::with_capacity(kebab.len());
                let mut upper = false;
                for c in kebab.chars() {
                    if c == '-' {
                        upper = true;
                    } else if upper {
                        out.extend(c.to_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}
