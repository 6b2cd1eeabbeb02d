//! PERSCOM facts several tests check against.

/// The operations the generator sets aside for the hand-written layer: multipart bodies and
/// the two paths outside the versioned base path (`tests/perscom_upload.rs` checks this list
/// against the spec).
pub const HAND_WRITTEN: [&str; 20] = [
    "get_health",
    "get_spec",
    "create_attachment",
    "batch_create_attachments",
    "update_attachment_multipart",
    "create_award_image",
    "create_event_image",
    "batch_create_event_images",
    "update_event_image_multipart",
    "create_group_image",
    "create_image",
    "batch_create_images",
    "update_image_multipart",
    "create_qualification_image",
    "create_rank_image",
    "create_unit_image",
    "update_user_multipart",
    "create_user_attachment",
    "batch_create_user_attachments",
    "update_user_attachment_multipart",
];
