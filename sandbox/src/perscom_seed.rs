//! The PERSCOM sandbox's seeded company: the roster of users with their records, the
//! organisation (ranks to slots and groups), awards and training, forms, calendars, content
//! and tasks. Deterministic: every start holds the same data, its dates placed before the
//! sandbox's "now" (see [`epoch`]).

use super::perscom::USERS;
use super::{FIRST_NAMES, LAST_NAMES, Seed, clock};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const RANKS: &[(&str, &str, &str)] = &[
    ("Private", "PVT", "E-1"),
    ("Private Second Class", "PV2", "E-2"),
    ("Private First Class", "PFC", "E-3"),
    ("Specialist", "SPC", "E-4"),
    ("Corporal", "CPL", "E-4"),
    ("Sergeant", "SGT", "E-5"),
    ("Staff Sergeant", "SSG", "E-6"),
    ("Sergeant First Class", "SFC", "E-7"),
    ("Second Lieutenant", "2LT", "O-1"),
    ("First Lieutenant", "1LT", "O-2"),
    ("Captain", "CPT", "O-3"),
    ("Major", "MAJ", "O-4"),
];
const POSITIONS: &[&str] = &[
    "Rifleman",
    "Automatic Rifleman",
    "Grenadier",
    "Team Leader",
    "Squad Leader",
    "Platoon Sergeant",
    "Platoon Leader",
    "Medic",
    "Radio Operator",
    "Company Commander",
];
const SPECIALTIES: &[(&str, &str)] = &[
    ("Infantryman", "11B"),
    ("Combat Medic", "68W"),
    ("Signal Support", "25U"),
    ("Cavalry Scout", "19D"),
    ("Officer", "11A"),
];
const UNITS: &[&str] = &[
    "Headquarters",
    "1st Platoon",
    "2nd Platoon",
    "3rd Platoon",
    "Weapons Platoon",
    "Reserve",
];
const STATUSES: &[(&str, &str)] = &[
    ("Active", "#22c55e"),
    ("On Leave", "#eab308"),
    ("Inactive", "#6b7280"),
    ("Discharged", "#ef4444"),
];
const AWARDS: &[&str] = &[
    "Army Achievement Medal",
    "Army Commendation Medal",
    "Good Conduct Medal",
    "National Defense Service Medal",
    "Combat Infantryman Badge",
    "Expert Infantryman Badge",
    "Bronze Star",
    "Purple Heart",
];
const QUALIFICATIONS: &[&str] = &[
    "Marksman",
    "Sharpshooter",
    "Expert",
    "Combat Lifesaver",
    "Airborne",
    "Air Assault",
];

/// How many days before the sandbox's "now" (the start of its day) the seed's day 0 is. The
/// seed's days run to 1022 (the last calendar event), so its newest records are two weeks
/// old and its oldest almost three years.
const SEED_SPAN_DAYS: i64 = 1035;

/// The seed's day 0 for a sandbox whose clock says `now`.
pub(super) fn epoch(now: DateTime<Utc>) -> DateTime<Utc> {
    clock::days_before(clock::seed_anchor(now), SEED_SPAN_DAYS, 0)
}

/// The timestamp `secs` seconds into the seed's day `day`, as PERSCOM writes one.
pub(super) fn stamp(epoch: DateTime<Utc>, day: u64, secs: u64) -> String {
    let t = epoch + chrono::Duration::days(day as i64) + chrono::Duration::seconds(secs as i64);
    t.format("%Y-%m-%dT%H:%M:%S.000000Z").to_string()
}

pub(super) fn with_meta(
    mut v: Value,
    id: i64,
    label: &str,
    day: u64,
    epoch: DateTime<Utc>,
) -> Value {
    v["id"] = json!(id);
    v["label"] = json!(label);
    v["created_at"] = json!(stamp(epoch, day, id as u64 * 37 % 86_400));
    v["updated_at"] = v["created_at"].clone();
    v
}

/// Every collection and pivot table of the seeded company, keyed by path segment (or table),
/// its dates placed before `now`.
pub(super) fn data(now: DateTime<Utc>) -> BTreeMap<&'static str, Vec<Value>> {
    let epoch = epoch(now);
    let mut seed = Seed::new(0x9E2C_0A11);
    let mut data: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    let named = |names: &[&str], extra: &dyn Fn(usize) -> Value| -> Vec<Value> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut v = extra(i);
                v["name"] = json!(n);
                v["description"] = Value::Null;
                v["order"] = json!(i);
                with_meta(v, i as i64 + 1, n, 0, epoch)
            })
            .collect()
    };
    let rank_names: Vec<&str> = RANKS.iter().map(|r| r.0).collect();
    data.insert(
        "ranks",
        named(
            &rank_names,
            &|i| json!({"abbreviation": RANKS[i].1, "paygrade": RANKS[i].2}),
        ),
    );
    data.insert("positions", named(POSITIONS, &|_| json!({})));
    let spec_names: Vec<&str> = SPECIALTIES.iter().map(|s| s.0).collect();
    data.insert(
        "specialties",
        named(&spec_names, &|i| json!({"abbreviation": SPECIALTIES[i].1})),
    );
    data.insert(
        "units",
        named(
            UNITS,
            &|i| json!({"hidden": i == UNITS.len() - 1, "icon": null, "empty": null}),
        ),
    );
    let status_names: Vec<&str> = STATUSES.iter().map(|s| s.0).collect();
    data.insert(
        "statuses",
        named(
            &status_names,
            &|i| json!({"color": STATUSES[i].1, "icon": null}),
        ),
    );
    data.insert("awards", named(AWARDS, &|_| json!({})));
    data.insert("qualifications", named(QUALIFICATIONS, &|_| json!({})));

    let mut users = Vec::new();
    let mut award_records = Vec::new();
    let mut rank_records = Vec::new();
    let mut assignment_records = Vec::new();
    let mut service_records = Vec::new();
    let mut qualification_records = Vec::new();
    for i in 0..USERS {
        let id = i as i64 + 1;
        let first = seed.pick(FIRST_NAMES);
        let last = seed.pick(LAST_NAMES);
        let name = format!("{first} {last}");
        let rank_id = if i == 0 {
            RANKS.len() as i64
        } else {
            seed.below(RANKS.len() as u64 - 1) as i64 + 1
        };
        let position_id = seed.below(POSITIONS.len() as u64) as i64 + 1;
        let unit_id = seed.below(UNITS.len() as u64) as i64 + 1;
        let specialty_id = seed.below(SPECIALTIES.len() as u64) as i64 + 1;
        let status_id = if seed.below(10) < 8 {
            1
        } else {
            seed.below(STATUSES.len() as u64) as i64 + 1
        };
        let day = seed.below(900);
        users.push(with_meta(
            json!({
                "name": name,
                "email": format!("{}.{}{}@example.mil", first.to_lowercase(), last.to_lowercase(), id),
                "email_verified_at": null, "phone_number": null,
                "position_id": position_id, "rank_id": rank_id, "specialty_id": specialty_id,
                "status_id": status_id, "unit_id": unit_id, "unit_slot_id": null,
                "approved": true, "notes": null, "profile_photo": null, "cover_photo": null,
                "display_name": name, "online": seed.below(5) == 0,
                "profile_photo_url": null, "cover_photo_url": null,
            }),
            id,
            &name,
            day,
            epoch,
        ));
        let author = 1;
        // Promotions up to the current rank.
        for r in 1..=rank_id.min(4) {
            let rid = rank_records.len() as i64 + 1;
            rank_records.push(with_meta(
                json!({"user_id": id, "rank_id": (rank_id - 4 + r).max(1), "type": 0, "document_id": null,
                       "author_id": author, "text": format!("Promoted to {}", RANKS[((rank_id - 4 + r).max(1) - 1) as usize].0)}),
                rid,
                "Rank record",
                day + r as u64 * 30,
                epoch,
            ));
        }
        for _ in 0..seed.below(4) {
            let rid = award_records.len() as i64 + 1;
            let award_id = seed.below(AWARDS.len() as u64) as i64 + 1;
            award_records.push(with_meta(
                json!({"user_id": id, "award_id": award_id, "document_id": null, "author_id": author,
                       "text": format!("Awarded the {}", AWARDS[award_id as usize - 1])}),
                rid,
                "Award record",
                day + 45,
                epoch,
            ));
        }
        let aid = assignment_records.len() as i64 + 1;
        assignment_records.push(with_meta(
            json!({"user_id": id, "type": "primary", "status_id": status_id, "unit_id": unit_id,
                   "position_id": position_id, "specialty_id": specialty_id, "unit_slot_id": null,
                   "document_id": null, "author_id": author, "text": "Initial assignment"}),
            aid,
            "Assignment record",
            day,
            epoch,
        ));
        let sid = service_records.len() as i64 + 1;
        service_records.push(with_meta(
            json!({"user_id": id, "text": "Completed basic training", "document_id": null, "author_id": author}),
            sid,
            "Service record",
            day + 10,
            epoch,
        ));
        if seed.below(2) == 0 {
            let qid = qualification_records.len() as i64 + 1;
            let q = seed.below(QUALIFICATIONS.len() as u64) as i64 + 1;
            qualification_records.push(with_meta(
                json!({"user_id": id, "qualification_id": q, "document_id": null, "author_id": author,
                       "text": format!("Qualified {}", QUALIFICATIONS[q as usize - 1])}),
                qid,
                "Qualification record",
                day + 20,
                epoch,
            ));
        }
    }
    data.insert("users", users);
    data.insert("award-records", award_records);
    data.insert("rank-records", rank_records);
    data.insert("assignment-records", assignment_records);
    data.insert("service-records", service_records);
    data.insert("qualification-records", qualification_records);
    more(&mut data, epoch);
    data
}

/// Numbers `items` from 1 with their timestamps; each one's label is its `label` field.
fn rows(epoch: DateTime<Utc>, label: &str, day: u64, items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let text = v[label].as_str().unwrap_or_default().to_string();
            with_meta(v, i as i64 + 1, &text, day + i as u64, epoch)
        })
        .collect()
}

/// Pivot rows joining `(parent id, target id)` pairs, keyed `parent_key` and `target_key`.
fn pivot(
    epoch: DateTime<Utc>,
    parent_key: &str,
    target_key: &str,
    pairs: &[(i64, i64)],
    day: u64,
) -> Vec<Value> {
    pairs
        .iter()
        .map(|(p, t)| {
            json!({parent_key: p, target_key: t, "created_at": stamp(epoch, day, 0), "updated_at": stamp(epoch, day, 0)})
        })
        .collect()
}

/// The organisation beyond the roster: groups and slots, training credentials, forms,
/// calendars, content, tasks and categories, and the users' status history.
fn more(data: &mut BTreeMap<&'static str, Vec<Value>>, epoch: DateTime<Utc>) {
    // Groups of units (the roster), and the slots units fill.
    let groups = [
        ("Command", false, &[1][..]),
        ("Line Platoons", false, &[2, 3, 4, 5][..]),
        ("Reserve", true, &[6][..]),
    ];
    data.insert(
        "groups",
        rows(
            epoch,
            "name",
            0,
            groups
                .iter()
                .enumerate()
                .map(|(i, (name, hidden, _))| {
                    json!({"name": name, "description": null, "empty": null, "icon": null,
                           "hidden": hidden, "order": i})
                })
                .collect(),
        ),
    );
    let group_units: Vec<(i64, i64)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, (_, _, units))| units.iter().map(move |u| (g as i64 + 1, *u)))
        .collect();
    data.insert(
        "group_unit",
        pivot(epoch, "group_id", "unit_id", &group_units, 0),
    );
    let slots = [
        ("Company Commander", 10, 5),
        ("Platoon Leader", 7, 5),
        ("Platoon Sergeant", 6, 1),
        ("Squad Leader", 5, 1),
        ("Team Leader", 4, 1),
        ("Rifleman", 1, 1),
        ("Medic", 8, 2),
        ("Radio Operator", 9, 3),
    ];
    data.insert(
        "slots",
        rows(
            epoch,
            "name",
            0,
            slots
                .iter()
                .enumerate()
                .map(|(i, (name, position, specialty))| {
                    json!({"name": name, "description": null, "empty": "Vacant", "hidden": false,
                           "order": i, "position_id": position, "specialty_id": specialty})
                })
                .collect(),
        ),
    );

    // Training: competencies, and credentials from their issuers.
    data.insert(
        "competencies",
        rows(
            epoch,
            "name",
            10,
            [
                "Land Navigation",
                "First Aid",
                "Radio Procedures",
                "Weapons Maintenance",
                "Marksmanship",
            ]
            .iter()
            .map(|n| json!({"name": n, "description": null}))
            .collect(),
        ),
    );
    data.insert(
        "issuers",
        rows(
            epoch,
            "name",
            10,
            [
                "Basic Combat Training",
                "Combat Lifesaver Course",
                "Airborne School",
            ]
            .iter()
            .map(|n| json!({"name": n}))
            .collect(),
        ),
    );
    data.insert(
        "credentials",
        rows(
            epoch,
            "name",
            10,
            [
                ("Basic Training Certificate", "certification", 1),
                ("Combat Lifesaver Certification", "certification", 2),
                ("Military Driver's License", "license", 1),
                ("Parachutist Badge", "other", 3),
            ]
            .iter()
            .enumerate()
            .map(|(i, (name, kind, issuer))| {
                json!({"name": name, "description": null, "type": kind, "issuer_id": issuer, "order": i})
            })
            .collect(),
        ),
    );

    // Forms with their fields, and submissions made to them.
    let forms = [
        ("Enlistment Application", "enlistment", true),
        ("Leave of Absence Request", "leave-of-absence", false),
        ("Discharge Request", "discharge", false),
    ];
    data.insert(
        "forms",
        rows(
            epoch,
            "name",
            5,
            forms
                .iter()
                .map(|(name, slug, public)| {
                    json!({"name": name, "slug": slug, "is_public": public, "description": null,
                           "instructions": null, "success_message": "Thank you, we will be in touch."})
                })
                .collect(),
        ),
    );
    let fields = [
        ("Name", "name", "text"),
        ("Email", "email", "email"),
        ("Date of Birth", "date_of_birth", "date"),
        ("Why do you want to join?", "reason", "textarea"),
        ("Leave Starts", "starts", "date"),
        ("Leave Ends", "ends", "date"),
    ];
    data.insert(
        "fields",
        rows(
            epoch,
            "name",
            5,
            fields
                .iter()
                .map(|(name, key, kind)| {
                    json!({"name": name, "key": key, "type": kind, "required": true, "readonly": false,
                           "hidden": false, "cast": null, "default": null, "description": null,
                           "help": null, "placeholder": null, "options": null, "options_type": null,
                           "options_model": null, "rules": null})
                })
                .collect(),
        ),
    );
    let form_fields = [
        (1, 1),
        (1, 2),
        (1, 3),
        (1, 4),
        (2, 1),
        (2, 5),
        (2, 6),
        (3, 1),
        (3, 4),
    ];
    data.insert(
        "form_field",
        pivot(epoch, "form_id", "field_id", &form_fields, 5),
    );
    data.insert(
        "submissions",
        rows(
            epoch,
            "label",
            600,
            (0..12)
                .map(|i| {
                    let form = [1, 1, 1, 2, 2, 3][i % 6];
                    let user = (i * 23 % USERS) as i64 + 2;
                    json!({"form_id": form, "user_id": user, "read_at": null,
                           "label": format!("Submission to {}", forms[form as usize - 1].0)})
                })
                .collect(),
        ),
    );
    data.insert(
        "comments",
        rows(
            epoch,
            "comment",
            610,
            [
                (1, "Welcome aboard; report to 1st Platoon."),
                (4, "Approved: enjoy your leave."),
                (6, "Please see the company commander first."),
            ]
            .iter()
            .map(|(submission, text)| {
                json!({"comment": text, "author_id": 1, "model_type": "App\\Models\\Submission",
                       "model_id": submission})
            })
            .collect(),
        ),
    );

    // Calendars and their events.
    data.insert(
        "calendars",
        rows(
            epoch,
            "name",
            0,
            [("Operations", "#2563eb"), ("Training", "#16a34a")]
                .iter()
                .map(|(name, color)| json!({"name": name, "color": color, "description": null}))
                .collect(),
        ),
    );
    let events = [
        ("Weekly Operation", 1, 1000, 2),
        ("Company Formation", 1, 1003, 1),
        ("Field Training Exercise", 2, 1005, 6),
        ("Combat Lifesaver Course", 2, 1010, 4),
        ("Marksmanship Range Day", 2, 1014, 5),
        ("Awards Ceremony", 1, 1021, 1),
    ];
    data.insert(
        "events",
        rows(
            epoch,
            "name",
            990,
            events
                .iter()
                .map(|(name, calendar, day, hours)| {
                    json!({"name": name, "calendar_id": calendar, "starts": stamp(epoch, *day, 19 * 3600),
                           "ends": stamp(epoch, *day, (19 + hours) * 3600), "all_day": false, "repeats": false,
                           "description": null, "content": null, "location": "Server 1", "url": null,
                           "author_id": 1, "registration_enabled": false,
                           "registration_deadline": null, "notifications_enabled": false})
                })
                .collect(),
        ),
    );

    // Content: announcements, documents, messages and the newsfeed.
    data.insert(
        "announcements",
        rows(
            epoch,
            "title",
            990,
            vec![
                json!({"title": "Welcome to the unit", "content": "<p>Read the handbook in Documents.</p>",
                       "color": "#2563eb", "global": true, "enabled": true, "expires_at": null}),
                json!({"title": "Server maintenance", "content": "<p>The server is down on Sunday morning.</p>",
                       "color": "#eab308", "global": false, "enabled": true, "expires_at": null}),
            ],
        ),
    );
    data.insert(
        "documents",
        rows(
            epoch,
            "name",
            100,
            [
                ("Unit Handbook", "<h1>Unit Handbook</h1><p>Standards and customs of the unit.</p>"),
                ("Promotion Certificate", "<p>{user_name} is promoted to {rank_name}.</p>"),
                ("Award Citation", "<p>{user_name} is awarded the {award_name}.</p>"),
            ]
            .iter()
            .map(|(name, content)| {
                json!({"name": name, "content": content, "description": null, "author_id": 1})
            })
            .collect(),
        ),
    );
    data.insert(
        "messages",
        rows(
            epoch,
            "message",
            995,
            vec![
                json!({"message": "Formation at 1900 tonight.", "channels": ["database", "discord_public"],
                       "recipients": null, "repeats": false, "send_at": null, "sent_at": stamp(epoch, 995, 0)}),
                json!({"message": "Submit your leave requests before Friday.", "channels": ["mail"],
                       "recipients": [1, 2, 3], "repeats": false, "send_at": null, "sent_at": stamp(epoch, 996, 0)}),
            ],
        ),
    );
    // The newsfeed: the latest promotions and awards, newest first.
    let mut feed: Vec<Value> = Vec::new();
    for (segment, subject, verb) in [
        ("rank-records", "App\\Models\\RankRecord", "rank record"),
        ("award-records", "App\\Models\\AwardRecord", "award record"),
    ] {
        for r in data[segment].iter().rev().take(10) {
            let user = &data["users"][r["user_id"].as_i64().unwrap_or(1) as usize - 1];
            feed.push(json!({
                "log_name": "newsfeed", "event": "created", "batch_uuid": null,
                "description": format!("A new {verb} has been added"),
                "headline": format!("{} {}", user["name"].as_str().unwrap_or_default(), verb),
                "text": r["text"], "item": verb, "color": null,
                "subject_type": subject, "subject_id": r["id"], "causer_type": "App\\Models\\User",
                "causer_id": r["author_id"], "properties": {}, "created_at": r["created_at"],
            }));
        }
    }
    feed.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
    let feed = feed
        .into_iter()
        .enumerate()
        .map(|(i, mut v)| {
            v["id"] = json!(i + 1);
            v["updated_at"] = v["created_at"].clone();
            v
        })
        .collect();
    data.insert("newsfeed", feed);

    // Tasks, and whom they are assigned to.
    data.insert(
        "tasks",
        rows(
            epoch,
            "title",
            990,
            [
                ("Complete the enlistment paperwork", Some(1)),
                ("Attend the next company formation", None),
                ("Qualify at the range", None),
                ("Submit the leave of absence form", Some(2)),
            ]
            .iter()
            .map(|(title, form)| {
                json!({"title": title, "description": null, "instructions": null, "form_id": form})
            })
            .collect(),
        ),
    );
    let mut task_user = pivot(
        epoch,
        "task_id",
        "user_id",
        &[(2, 1), (1, 5), (3, 5), (2, 9)],
        990,
    );
    for row in &mut task_user {
        row["assigned_by_id"] = json!(1);
        row["assigned_at"] = row["created_at"].clone();
        row["due_at"] = Value::Null;
        row["completed_at"] = Value::Null;
    }
    data.insert("task_user", task_user);

    // Categories, and the ranks and awards they group.
    data.insert(
        "categories",
        rows(
            epoch,
            "name",
            0,
            [
                ("Enlisted Ranks", "App\\Models\\Rank"),
                ("Officer Ranks", "App\\Models\\Rank"),
                ("Service Medals", "App\\Models\\Award"),
            ]
            .iter()
            .map(
                |(name, resource)| json!({"name": name, "resource": resource, "description": null}),
            )
            .collect(),
        ),
    );
    let enlisted = (1..=8).map(|r| (1, r));
    let officers = (9..=RANKS.len() as i64).map(|r| (2, r));
    let ranked: Vec<(i64, i64)> = enlisted.chain(officers).collect();
    data.insert(
        "category_rank",
        pivot(epoch, "category_id", "rank_id", &ranked, 0),
    );
    let medals: Vec<(i64, i64)> = (1..=4).map(|a| (3, a)).collect();
    data.insert(
        "award_category",
        pivot(epoch, "category_id", "award_id", &medals, 0),
    );

    // Each user's status history: the status they hold now, after `Active` for those who
    // moved on.
    let mut history = Vec::new();
    for user in &data["users"] {
        let (id, status) = (user["id"].clone(), user["status_id"].as_i64().unwrap_or(1));
        let since = user["created_at"].clone();
        if status != 1 {
            history.push(json!({"user_id": id, "status_id": 1, "text": "Enlisted",
                                "created_at": since, "updated_at": since}));
        }
        history.push(json!({"user_id": id, "status_id": status,
                            "text": format!("Status set to {}", STATUSES[status as usize - 1].0),
                            "created_at": since, "updated_at": since}));
    }
    data.insert("status_records", history);
}
