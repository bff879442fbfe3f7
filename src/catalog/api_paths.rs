//! Where Persona's API reference documents fetching a resource, kept with the event catalog.
//!
//! `api_paths.tsv` holds one documented "Retrieve a …" endpoint per JSON:API type, with the
//! reference page it was taken from. A type it does not list gets no path: the inspector never
//! makes one up from the type's name (Persona's paths are not plurals of the type: a selfie
//! verification is `/api/v1/verification/selfies/{id}`).

use std::collections::HashMap;
use std::sync::LazyLock;

const TSV: &str = include_str!("api_paths.tsv");

/// A documented path for one resource.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ApiPath {
    /// `/api/v1/verification/selfies/ver_…`, the id percent-encoded, for `GET` on
    /// `https://api.withpersona.com`.
    pub path: String,
    /// The page of Persona's API reference that documents it.
    pub source: &'static str,
}

struct Row {
    template: &'static str,
    source: &'static str,
}

static ROWS: LazyLock<HashMap<&'static str, Row>> = LazyLock::new(|| parse(TSV));

/// Skips comments and malformed lines: the table is data, never a reason to fail.
fn parse(tsv: &'static str) -> HashMap<&'static str, Row> {
    tsv.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let (kind, template, source) = (cols.next()?, cols.next()?, cols.next()?);
            let well_formed = cols.next().is_none()
                && !kind.is_empty()
                && template.starts_with("/api/")
                && template.contains("{id}")
                && source.starts_with("https://docs.withpersona.com/");
            well_formed.then_some((kind, Row { template, source }))
        })
        .collect()
}

/// The documented path for the resource `kind` `id`: its type's own row, else its family's
/// generic endpoint (`verification/*`); None when Persona's reference documents neither here.
pub fn api_path(kind: &str, id: &str) -> Option<ApiPath> {
    if id.trim().is_empty() {
        return None;
    }
    let kind = kebab(kind.trim());
    let family = kind
        .split_once('/')
        .map(|(family, _)| format!("{family}/*"));
    let row = ROWS
        .get(kind.as_str())
        .or_else(|| ROWS.get(family?.as_str()))?;
    Some(ApiPath {
        path: row.template.replace("{id}", &percent_encoded(id)),
        source: row.source,
    })
}

/// A webhook set to camelCase or snake_case keys may inflect types too; the table is kebab-case.
fn kebab(kind: &str) -> String {
    let mut out = String::with_capacity(kind.len() + 4);
    let mut previous_lower = false;
    for c in kind.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('-');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '_' {
            '-'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out
}

/// Every byte but RFC 3986's unreserved characters escaped, so an id cannot leave its segment.
fn percent_encoded(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_line_parses_and_cites_personas_reference() {
        let rows = TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(ROWS.len(), rows, "some api_paths.tsv lines were skipped");
        assert!(ROWS.len() >= 20, "only {} documented paths", ROWS.len());
    }

    #[test]
    fn documented_types_get_their_documented_path() {
        let cases = [
            (
                "verification/selfie",
                "ver_1",
                "/api/v1/verification/selfies/ver_1",
            ),
            (
                "verification/government-id",
                "ver_2",
                "/api/v1/verification/government-ids/ver_2",
            ),
            ("inquiry", "inq_3", "/api/v1/inquiries/inq_3"),
            ("account", "act_4", "/api/v1/accounts/act_4"),
            ("report/watchlist", "rep_5", "/api/v1/reports/rep_5"),
            ("workflow-run", "wfr_6", "/api/v1/workflow-runs/wfr_6"),
        ];
        for (kind, id, path) in cases {
            let found = api_path(kind, id).unwrap_or_else(|| panic!("no path for {kind}"));
            assert_eq!(found.path, path, "{kind}");
            assert!(found.source.starts_with("https://docs.withpersona.com/"));
        }
    }

    #[test]
    fn a_subtype_without_a_row_gets_its_familys_generic_endpoint() {
        let found = api_path("verification/aamva", "ver_7").expect("the generic endpoint");
        assert_eq!(found.path, "/api/v1/verifications/ver_7");
        assert_eq!(
            api_path("report/brand-new", "rep_8").map(|p| p.path),
            Some("/api/v1/reports/rep_8".to_string())
        );
    }

    #[test]
    fn an_undocumented_type_gets_no_invented_path() {
        for kind in ["selfie", "device", "list-item/email-address", "widget", ""] {
            assert_eq!(api_path(kind, "x_1"), None, "{kind:?} got a path");
        }
        assert_eq!(api_path("account", "  "), None, "an empty id");
    }

    #[test]
    fn inflected_types_and_hostile_ids_stay_in_their_segment() {
        assert_eq!(
            api_path("verification/governmentId", "ver_9").map(|p| p.path),
            Some("/api/v1/verification/government-ids/ver_9".to_string())
        );
        assert_eq!(
            api_path("workflow_run", "a/../b?c#d").map(|p| p.path),
            Some("/api/v1/workflow-runs/a%2F..%2Fb%3Fc%23d".to_string())
        );
    }

    #[test]
    fn malformed_and_undocumented_lines_are_skipped() {
        let rows = parse(
            "# a comment\nok\t/api/v1/oks/{id}\thttps://docs.withpersona.com/x\n\
             guessed\t/api/v1/guesses/{id}\thttps://example.com/blog\n\
             noid\t/api/v1/things\thttps://docs.withpersona.com/y\nshort\t/api/v1/s/{id}\n",
        );
        assert_eq!(rows.keys().copied().collect::<Vec<_>>(), ["ok"]);
    }
}
