//! The `checks` list of a verification: every check its template runs, by Persona's slugs, in
//! the shape of Persona's check object (`name`, `status` passed/failed/not_applicable,
//! `reasons`, `requirement`, `metadata`).
//!
//! The shape and the three statuses are on https://docs.withpersona.com/verification-checks.
//! Which checks a verification lists, their order and which are required follow Persona's
//! example payload (the "Alexander J Sample" inquiry with a government ID and a selfie
//! verification), plus the defaults the 2025-03-03 API changelog made required. Where each other
//! list comes from, and what is assumed, is in `docs/samples.md`.

use serde_json::{Value, json};

use super::Ctx;
use crate::sample::rng::Rng;

/// One check a template runs: its slug and whether the template requires it by default.
struct Check {
    name: &'static str,
    required: bool,
}

const fn required(name: &'static str) -> Check {
    Check {
        name,
        required: true,
    }
}

const fn optional(name: &'static str) -> Check {
    Check {
        name,
        required: false,
    }
}

/// Government ID: the 35 checks of Persona's example, in its (alphabetical) order. Required: the
/// example's nine, and the six the 2025-03-03 changelog made default for new templates.
const GOVERNMENT_ID: &[Check] = &[
    optional("id_aamva_database_lookup"),
    optional("id_account_comparison"),
    required("id_age_comparison"),
    optional("id_age_inconsistency_detection"),
    optional("id_barcode_detection"),
    optional("id_barcode_inconsistency_detection"),
    optional("id_blur_detection"),
    required("id_color_inconsistency_detection"),
    required("id_compromised_detection"),
    required("id_disallowed_country_detection"),
    required("id_disallowed_type_detection"),
    required("id_double_side_detection"),
    optional("id_electronic_replica_detection"),
    required("id_entity_detection"),
    required("id_expired_detection"),
    optional("id_extracted_properties_detection"),
    optional("id_extraction_inconsistency_detection"),
    required("id_fabrication_detection"),
    optional("id_glare_detection"),
    optional("id_handwriting_detection"),
    optional("id_inconsistent_repeat_detection"),
    optional("id_inquiry_comparison"),
    required("id_mrz_detection"),
    optional("id_mrz_inconsistency_detection"),
    optional("id_number_format_inconsistency_detection"),
    optional("id_po_box_detection"),
    required("id_portrait_clarity_detection"),
    required("id_portrait_detection"),
    optional("id_public_figure_detection"),
    optional("id_real_id_detection"),
    optional("id_repeat_detection"),
    required("id_selfie_comparison"),
    required("id_tamper_detection"),
    required("id_unprocessable_submission_detection"),
    optional("id_valid_dates_detection"),
];

/// Selfie: the 12 checks of Persona's example, in its order; required: the example's five, and
/// the two the 2025-03-03 changelog made default.
const SELFIE: &[Check] = &[
    required("selfie_id_comparison"),
    required("selfie_pose_detection"),
    required("selfie_multiple_faces_detection"),
    required("selfie_pose_repeat_detection"),
    optional("selfie_account_comparison"),
    required("selfie_suspicious_entity_detection"),
    required("selfie_liveness_detection"),
    optional("selfie_glasses_detection"),
    optional("selfie_glare_detection"),
    optional("selfie_public_figure_detection"),
    optional("selfie_age_comparison"),
    required("selfie_face_covering_detection"),
];

/// Database: the slugs of https://docs.withpersona.com/api-reference/verifications/database-verifications
/// (the identity comparison, the checks run for every region, the per-field comparisons of
/// international databases), then the P.O. box and alive checks its Help Center tutorial shows
/// as required (their slugs assumed).
const DATABASE: &[Check] = &[
    required("database_identity_comparison"),
    optional("database_address_deliverable_detection"),
    optional("database_address_residential_detection"),
    optional("database_inquiry_comparison"),
    optional("database_address_comparison"),
    optional("database_birthdate_comparison"),
    optional("database_name_comparison"),
    optional("database_phone_number_comparison"),
    required("database_po_box_detection"),
    required("database_deceased_detection"),
];

/// Document: Persona's docs list none (they point to the Dashboard's table); these slugs and
/// which are required are assumed, named as that table names them.
const DOCUMENT: &[Check] = &[
    optional("document_compromised_detection"),
    required("document_expired_detection"),
    required("document_extracted_properties_detection"),
    required("document_fabrication_detection"),
    optional("document_handwriting_detection"),
    optional("document_inconsistent_timestamp_detection"),
    optional("document_pdf_editor_detection"),
    optional("document_pdf_modification_detection"),
    optional("document_recency_detection"),
    required("document_tamper_detection"),
    optional("document_template_detection"),
    required("document_type_detection"),
    required("document_unprocessable_submission_detection"),
];

/// Phone number and email address: assumed, as for documents.
const PHONE_NUMBER: &[Check] = &[
    required("phone_number_confirmation_code_comparison"),
    optional("phone_number_deliverable_detection"),
    optional("phone_number_disallowed_country_detection"),
    optional("phone_number_invalid_number_format_detection"),
    optional("phone_number_service_available_detection"),
    required("phone_number_timeout_detection"),
];

const EMAIL_ADDRESS: &[Check] = &[
    required("email_address_confirmation_code_comparison"),
    optional("email_address_invalid_email_format_detection"),
    required("email_address_timeout_detection"),
];

/// The checks a verification of `kind` runs.
fn template(kind: &str) -> &'static [Check] {
    match kind {
        "verification/government-id" => GOVERNMENT_ID,
        "verification/selfie" => SELFIE,
        "verification/database" => DATABASE,
        "verification/document" => DOCUMENT,
        "verification/phone-number" => PHONE_NUMBER,
        "verification/email-address" => EMAIL_ADDRESS,
        _ => &[],
    }
}

/// The reason Persona's example gives a check its template turned off.
pub const DISABLED: &str = "disabled_by_check_config";

/// Assumed: no docs page found lists a failed check's reason codes.
pub const FAILURE_REASON: &str = "sample_failure_reason";

/// The checks list of the verification `ctx` builds, once its checks ran (`outcome`: whether
/// they came out well); an empty list before. What the template turns off or requires beyond
/// its defaults is fixed per verification (its template); which check fails varies per event.
pub fn checks(ctx: &mut Ctx, outcome: Option<bool>) -> Value {
    let Some(passed) = outcome else {
        return json!([]);
    };
    let checks = template(ctx.kind);
    let mut config = ctx.story("checks");
    // One optional check in ~7 turned off, one in ~10 made required: a template's own choices.
    let choices: Vec<(bool, bool)> = checks
        .iter()
        .map(|check| {
            let off = !check.required && config.below(7) == 0;
            let required = check.required || (!off && config.below(10) == 0);
            (off, required)
        })
        .collect();
    let rng = ctx.rng();
    // A failed verification: one of its required checks failed. A passed one may still show an
    // optional check failed (one in four), which does not decide the outcome.
    let failing = match passed {
        false => pick(rng, &choices, |(off, required)| !off && *required),
        true if rng.below(4) == 0 => pick(rng, &choices, |(off, required)| !off && !required),
        true => None,
    };
    let list = checks
        .iter()
        .zip(&choices)
        .enumerate()
        .map(|(i, (check, (off, required)))| {
            let (status, reasons) = match (off, failing == Some(i)) {
                (true, _) => ("not_applicable", json!([DISABLED])),
                (false, true) => ("failed", json!([FAILURE_REASON])),
                (false, false) => ("passed", json!([])),
            };
            json!({
                "name": check.name,
                "status": status,
                "reasons": reasons,
                "requirement": if *required { "required" } else { "not_required" },
                "metadata": metadata(check.name),
            })
        })
        .collect();
    Value::Array(list)
}

/// The index of one of the checks `fits`, picked by `rng`; None when none fits.
fn pick(
    rng: &mut Rng,
    choices: &[(bool, bool)],
    fits: impl Fn(&(bool, bool)) -> bool,
) -> Option<usize> {
    let fitting: Vec<usize> = (0..choices.len()).filter(|&i| fits(&choices[i])).collect();
    match fitting.is_empty() {
        true => None,
        false => Some(*rng.pick(&fitting)),
    }
}

/// What a check records besides its status: the keys Persona's example fills for these three
/// (with a sample's values), an empty object for every other.
fn metadata(name: &str) -> Value {
    match name {
        "id_disallowed_country_detection" => json!({
            "country-code": "US",
            "selected-country-code": "US",
        }),
        "id_disallowed_type_detection" => json!({
            "country-code": "US",
            "detected-id-class": "dl",
            "detected-id-designations": null,
            "disallowed-id-designations": null,
            "selected-id-classes": ["dl"],
        }),
        "id_extraction_inconsistency_detection" => json!({ "check-requirements": [] }),
        _ => json!({}),
    }
}
