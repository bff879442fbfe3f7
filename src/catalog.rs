//! Persona's event catalog, generated from the docs "Events" page and built into the binary.
//!
//! `catalog/events.tsv` holds one event per line: `group<TAB>name<TAB>description`.

pub mod api_paths;

use std::collections::HashMap;
use std::sync::LazyLock;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CatalogEntry {
    pub name: &'static str,
    /// The docs heading without " events", e.g. "Inquiry", "Connect / Share Token", "Report".
    pub group: &'static str,
    pub description: &'static str,
}

const TSV: &str = include_str!("catalog/events.tsv");

/// When `catalog/events.tsv` was taken from Persona's Events page (docs.withpersona.com, "Events").
/// Persona keeps adding events, so a name missing from it may simply be newer.
pub const AS_OF: &str = "2026-11-22";

/// Says that `name` is not in the catalog, without claiming anything is wrong with it.
pub fn unlisted(name: &str) -> String {
    format!(
        "event name {name:?} is not in the inspector's catalog of Persona's events (taken \
         {AS_OF}); Persona keeps adding events, so it may be newer than the catalog"
    )
}

struct Catalog {
    entries: Vec<CatalogEntry>,
    by_name: HashMap<&'static str, usize>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let entries = parse_tsv(TSV);
    let by_name = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name, i))
        .collect();
    Catalog { entries, by_name }
});

/// Skips malformed lines instead of failing: a bad line must never take the server down.
fn parse_tsv(tsv: &'static str) -> Vec<CatalogEntry> {
    tsv.lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let (group, name, description) = (cols.next()?, cols.next()?, cols.next()?);
            let well_formed = cols.next().is_none() && !group.is_empty() && !name.is_empty();
            well_formed.then_some(CatalogEntry {
                name,
                group,
                description,
            })
        })
        .collect()
}

pub fn lookup(name: &str) -> Option<&'static CatalogEntry> {
    let catalog = &*CATALOG;
    catalog.by_name.get(name).map(|&i| &catalog.entries[i])
}

pub fn all() -> &'static [CatalogEntry] {
    &CATALOG.entries
}

/// The resource part of an event name: everything before the last '.'.
fn resource_of(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(resource, _)| resource)
}

/// Resource group for any event name, known or not, used to colour event names.
///
/// Known names give their catalog group. Unknown names whose resource (the part before the
/// last '.') or namespace (the part before '/', e.g. "report") appears in the catalog get that
/// entry's group, so a new Persona report type is coloured like the other reports; anything
/// else gets the resource itself ("widget.foo" → "widget").
pub fn group_of(name: &str) -> String {
    if let Some(entry) = lookup(name) {
        return entry.group.to_string();
    }
    let resource = resource_of(name);
    let namespace = |s: &str| s.split_once('/').map(|(ns, _)| ns.to_string());
    all()
        .iter()
        .find(|e| resource_of(e.name) == resource)
        .or_else(|| {
            let ns = namespace(resource)?;
            all()
                .iter()
                .find(|e| namespace(e.name).as_ref() == Some(&ns))
        })
        .map_or_else(|| resource.to_string(), |e| e.group.to_string())
}

/// Up to `n` catalog names closest to `name`, for "did you mean" when a name is not in the
/// catalog: names containing what was typed first (shortest first), then by edit distance.
pub fn closest(name: &str, n: usize) -> Vec<&'static str> {
    // Event names are under 60 characters; a longer input is no typo of one, and the edit
    // distance costs its length times each name's.
    const LONGEST_TYPO: usize = 100;
    let typed = name.to_ascii_lowercase();
    if typed.is_empty() || typed.len() > LONGEST_TYPO {
        return Vec::new();
    }
    let containing = all()
        .iter()
        .filter(|e| e.name.contains(typed.as_str()))
        .map(|e| (e.name.len(), e.name));
    // Further away than half the typed length is noise.
    let limit = typed.len().div_ceil(2).max(2);
    let near = all()
        .iter()
        .filter(|e| !e.name.contains(typed.as_str()))
        .map(|e| (edit_distance(&typed, e.name), e.name))
        .filter(|(distance, _)| *distance <= limit);
    let mut containing: Vec<_> = containing.collect();
    containing.sort();
    let mut near: Vec<_> = near.collect();
    near.sort();
    containing
        .into_iter()
        .chain(near)
        .take(n)
        .map(|(_, name)| name)
        .collect()
}

/// Levenshtein distance over bytes (event names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(previous + 1).min(row[j] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_has_at_least_240_events_and_every_tsv_line_parses() {
        let lines = TSV.lines().filter(|l| !l.trim().is_empty()).count();
        assert!(all().len() >= 240, "only {} catalog entries", all().len());
        assert_eq!(
            all().len(),
            lines,
            "some events.tsv lines were skipped as malformed"
        );
    }

    #[test]
    fn malformed_tsv_lines_are_skipped_rather_than_panicking() {
        let parsed = parse_tsv("A\ta.b\tfine\nno tabs here\n\tx.y\tno group\nB\tc.d\te\textra\n");
        let names: Vec<_> = parsed.iter().map(|e| e.name).collect();
        assert_eq!(names, ["a.b"], "only the well-formed line should survive");
    }

    #[test]
    fn well_known_events_are_present_with_group_and_description() {
        let expected = [
            (
                "account.created",
                "Account",
                "Occurs whenever an account is created.",
            ),
            (
                "inquiry.approved",
                "Inquiry",
                "Occurs whenever an inquiry is approved",
            ),
            (
                "report/watchlist.matched",
                "Report",
                "Occurs when a watchlist report has matched",
            ),
            (
                "connect/share-token.ready",
                "Connect / Share Token",
                "Occurs when a Share Token is ready.",
            ),
            (
                "user-notification.retracted",
                "User notification",
                "Occurs when a user notification is retracted.",
            ),
            (
                "inquiry-session.canceled",
                "Inquiry session",
                "Occurs when a session is manually canceled",
            ),
        ];
        for (name, group, description) in expected {
            let entry = lookup(name).unwrap_or_else(|| panic!("{name} missing from the catalog"));
            assert_eq!(entry.name, name, "lookup({name}) returned another entry");
            assert_eq!(entry.group, group, "wrong group for {name}");
            assert!(
                entry.description.starts_with(description),
                "description of {name} is {:?}",
                entry.description
            );
        }
    }

    #[test]
    fn no_event_name_appears_twice() {
        let mut seen = std::collections::HashSet::new();
        for entry in all() {
            assert!(seen.insert(entry.name), "{} appears twice", entry.name);
        }
    }

    #[test]
    fn closest_names_suggest_what_was_meant() {
        assert_eq!(closest("inquiry.aproved", 1), ["inquiry.approved"]);
        assert_eq!(
            closest("watchlist.matched", 1),
            ["report/watchlist.matched"]
        );
        assert!(closest("inquiry.completd", 3).contains(&"inquiry.completed"));
        assert!(closest("zzzzzzzzzzzzzzzzzzzzzzzz", 3).is_empty());
        assert_eq!(closest("approved", 1), ["inquiry.approved"]);
        assert!(closest("watchlist", 3).contains(&"report/watchlist.matched"));
        assert!(
            closest(&"inquiry.approved".repeat(1000), 3).is_empty(),
            "no typo of a name"
        );
    }

    #[test]
    fn unknown_names_are_not_found() {
        assert_eq!(
            lookup("inquiry.exploded"),
            None,
            "an invented event was found"
        );
        assert_eq!(lookup(""), None, "the empty name was found");
        assert_eq!(
            lookup("Account.created"),
            None,
            "lookup should be case-sensitive"
        );
    }

    #[test]
    fn group_of_uses_the_catalog_and_derives_a_group_for_unknown_names() {
        let cases = [
            ("report/watchlist.matched", "Report"),
            ("connect/share-token.ready", "Connect / Share Token"),
            ("inquiry-session.foo", "Inquiry session"),
            ("report/brand-new-report.ready", "Report"),
            ("widget.exploded", "widget"),
            ("thing/sub-thing.done", "thing/sub-thing"),
            ("no-dot-at-all", "no-dot-at-all"),
            ("", ""),
        ];
        for (name, group) in cases {
            assert_eq!(group_of(name), group, "group_of({name:?})");
        }
    }

    /// Looks like an event name in the docs: lowercase, no spaces, with a '.'.
    fn is_event_name_line(line: &str) -> bool {
        line.contains('.')
            && line.starts_with(|c: char| c.is_ascii_lowercase())
            && line
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-/.".contains(c))
    }

    /// The catalog in the repository is the authority; seed 002 (Persona's Events page, beside
    /// the repository where the project's material is, as in CI) must name exactly the same
    /// events. A clone without the seed cannot check this, and says so.
    #[test]
    fn the_catalog_and_the_docs_seed_name_exactly_the_same_events() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!(
                "NOT CHECKED: the catalog against seed 002 (no seed directory at {})",
                dir.display()
            );
            return;
        };
        let seed = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("002_"))
            })
            .unwrap_or_else(|| panic!("no 002_* seed in {}", dir.display()));
        let text = std::fs::read_to_string(&seed).expect("seed 002 is readable UTF-8");
        let in_seed: std::collections::BTreeSet<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| is_event_name_line(l))
            .collect();
        let in_catalog: std::collections::BTreeSet<&str> = all().iter().map(|e| e.name).collect();
        assert!(
            in_seed.len() >= 240,
            "found only {} event names in {}",
            in_seed.len(),
            seed.display()
        );
        let missing: Vec<_> = in_seed.difference(&in_catalog).collect();
        assert!(
            missing.is_empty(),
            "events in the seed but not in the catalog: {missing:?}"
        );
        let extra: Vec<_> = in_catalog.difference(&in_seed).collect();
        assert!(
            extra.is_empty(),
            "events in the catalog that the seed does not name: {extra:?}"
        );
    }
}
