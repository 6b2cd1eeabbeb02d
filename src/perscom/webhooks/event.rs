//! The event a verified delivery carries: its name, the resource as the client's own type, the
//! changed attributes, and the request and trace ids.

use super::signature::refused;
use crate::perscom::{Data, types};
use crate::{ErrorKind, Result, Timestamp};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

crate::open_enum::open_enum! {
    #[doc = "The name of a PERSCOM webhook event (`user.created`): the 30 events of PERSCOM's"]
    #[doc = "documentation, plus `message.*` and `webhook.test`, which its server also sends."]
    #[doc = ""]
    #[doc = "```"]
    #[doc = "use permkit::perscom::webhooks::EventName;"]
    #[doc = "assert_eq!(EventName::from(\"rankrecord.updated\"), EventName::RankRecordUpdated);"]
    #[doc = "assert_eq!(EventName::UserDeleted.as_str(), \"user.deleted\");"]
    #[doc = "assert!(!EventName::from(\"award.created\").is_known());"]
    #[doc = "```"]
    EventName {
        AssignmentRecordCreated = "assignmentrecord.created" | "assignmentrecord.created",
        AssignmentRecordUpdated = "assignmentrecord.updated" | "assignmentrecord.updated",
        AssignmentRecordDeleted = "assignmentrecord.deleted" | "assignmentrecord.deleted",
        AwardRecordCreated = "awardrecord.created" | "awardrecord.created",
        AwardRecordUpdated = "awardrecord.updated" | "awardrecord.updated",
        AwardRecordDeleted = "awardrecord.deleted" | "awardrecord.deleted",
        CalendarCreated = "calendar.created" | "calendar.created",
        CalendarUpdated = "calendar.updated" | "calendar.updated",
        CalendarDeleted = "calendar.deleted" | "calendar.deleted",
        CombatRecordCreated = "combatrecord.created" | "combatrecord.created",
        CombatRecordUpdated = "combatrecord.updated" | "combatrecord.updated",
        CombatRecordDeleted = "combatrecord.deleted" | "combatrecord.deleted",
        EventCreated = "event.created" | "event.created",
        EventUpdated = "event.updated" | "event.updated",
        EventDeleted = "event.deleted" | "event.deleted",
        MessageCreated = "message.created" | "message.created",
        MessageUpdated = "message.updated" | "message.updated",
        MessageDeleted = "message.deleted" | "message.deleted",
        QualificationRecordCreated = "qualificationrecord.created" | "qualificationrecord.created",
        QualificationRecordUpdated = "qualificationrecord.updated" | "qualificationrecord.updated",
        QualificationRecordDeleted = "qualificationrecord.deleted" | "qualificationrecord.deleted",
        RankRecordCreated = "rankrecord.created" | "rankrecord.created",
        RankRecordUpdated = "rankrecord.updated" | "rankrecord.updated",
        RankRecordDeleted = "rankrecord.deleted" | "rankrecord.deleted",
        ServiceRecordCreated = "servicerecord.created" | "servicerecord.created",
        ServiceRecordUpdated = "servicerecord.updated" | "servicerecord.updated",
        ServiceRecordDeleted = "servicerecord.deleted" | "servicerecord.deleted",
        SubmissionCreated = "submission.created" | "submission.created",
        SubmissionUpdated = "submission.updated" | "submission.updated",
        SubmissionDeleted = "submission.deleted" | "submission.deleted",
        UserCreated = "user.created" | "user.created",
        UserUpdated = "user.updated" | "user.updated",
        UserDeleted = "user.deleted" | "user.deleted",
        WebhookTest = "webhook.test" | "webhook.test",
    }
}

crate::open_enum::open_enum! {
    #[doc = "What happened to the resource: the part of the event name after the dot."]
    #[doc = ""]
    #[doc = "```"]
    #[doc = "use permkit::perscom::webhooks::Action;"]
    #[doc = "assert_eq!(Action::from(\"deleted\"), Action::Deleted);"]
    #[doc = "assert_eq!(Action::from(\"test\"), Action::UnknownValue(\"test\".into()));"]
    #[doc = "```"]
    Action {
        Created = "created" | "created",
        Updated = "updated" | "updated",
        Deleted = "deleted" | "deleted",
    }
}

/// The resource an event is about, as the PERSCOM client's own type.
///
/// A variant per resource PERSCOM sends events for, chosen by the event name's resource part
/// (`user` in `user.updated`), so a new action on a known resource is still typed. `Other`
/// holds the JSON of anything else: an event this version does not know, `webhook.test` (whose
/// data is whatever was typed in the dashboard), or a known event whose data did not decode as
/// its resource ([`WebhookEvent::data_error`] says why).
///
/// ```
/// use permkit::perscom::webhooks::{self, EventData};
/// use permkit::Secret;
///
/// let secret = Secret::new("s3cret");
/// let body = br#"{"event":"awardrecord.created","data":{"id":4,"user_id":12,"award_id":2}}"#;
/// let event = webhooks::verify(body, Some(&webhooks::sign(body, &secret)), &secret).unwrap();
/// match event.data() {
///     EventData::AwardRecord(record) => assert_eq!((record.user_id, record.award_id), (12, 2)),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EventData {
    /// `assignmentrecord.*`
    AssignmentRecord(Box<types::AssignmentRecord>),
    /// `awardrecord.*`
    AwardRecord(Box<types::AwardRecord>),
    /// `calendar.*`
    Calendar(Box<types::Calendar>),
    /// `combatrecord.*`
    CombatRecord(Box<types::CombatRecord>),
    /// `event.*` (a calendar event)
    Event(Box<types::Event>),
    /// `message.*` (sent by the server, not in the documentation's list)
    Message(Box<types::Message>),
    /// `qualificationrecord.*`
    QualificationRecord(Box<types::QualificationRecord>),
    /// `rankrecord.*`
    RankRecord(Box<types::RankRecord>),
    /// `servicerecord.*`
    ServiceRecord(Box<types::ServiceRecord>),
    /// `submission.*` (a form submission)
    Submission(Box<types::Submission>),
    /// `user.*`
    User(Box<types::User>),
    /// Anything else, as JSON (`Null` when the payload had no `data`).
    Other(Value),
}

/// Decodes the delivery's `data` as the type of `resource`, or `None` for a resource without a
/// type.
///
/// The data is read from the delivery's text as the `{"data": ...}` envelope a response is
/// ([`Data`]), not from the parsed `Value`: the decoders of `Data<T>` are the ones permkit
/// compiles for responses, and reading from a `Value` would compile serde's deserializers of
/// every type a resource reaches (through PERSCOM's relations, most of the API) a second time,
/// for a second kind of input. An error's line and column are the delivery's.
fn typed(resource: &str, body: &[u8]) -> Option<std::result::Result<EventData, String>> {
    fn decode<T: DeserializeOwned>(
        body: &[u8],
        wrap: fn(Box<T>) -> EventData,
    ) -> std::result::Result<EventData, String> {
        serde_json::from_slice::<Data<T>>(body)
            .map(|d| wrap(Box::new(d.data)))
            .map_err(|e| e.to_string())
    }
    Some(match resource {
        "assignmentrecord" => decode(body, EventData::AssignmentRecord),
        "awardrecord" => decode(body, EventData::AwardRecord),
        "calendar" => decode(body, EventData::Calendar),
        "combatrecord" => decode(body, EventData::CombatRecord),
        "event" => decode(body, EventData::Event),
        "message" => decode(body, EventData::Message),
        "qualificationrecord" => decode(body, EventData::QualificationRecord),
        "rankrecord" => decode(body, EventData::RankRecord),
        "servicerecord" => decode(body, EventData::ServiceRecord),
        "submission" => decode(body, EventData::Submission),
        "user" => decode(body, EventData::User),
        _ => return None,
    })
}

/// One verified PERSCOM webhook delivery. Made by [`verify`](super::verify).
///
/// ```
/// use permkit::perscom::webhooks::{self, Action, EventData};
/// use permkit::Secret;
///
/// let secret = Secret::new("s3cret");
/// let body = br#"{"event":"user.updated","created":"2026-05-16T23:49:04.123456Z",
///   "request_id":"0b5f8a3e-6f1c-4a8e-9d0b-3f2e1c4d5a6b","trace_id":"7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
///   "data":{"id":12,"name":"Pat Private","email":"pat@example.mil","rank_id":3},
///   "changes":{"rank_id":3,"updated_at":"2026-05-16T23:49:04.000000Z"}}"#;
/// let event = webhooks::verify(body, Some(&webhooks::sign(body, &secret)), &secret).unwrap();
///
/// assert_eq!(event.name(), "user.updated");
/// assert_eq!(event.resource(), "user");
/// assert_eq!(event.action(), Action::Updated);
/// assert_eq!(event.resource_id(), Some(12));
/// assert!(event.changes().contains_key("rank_id"));
/// assert_eq!(event.request_id(), Some("0b5f8a3e-6f1c-4a8e-9d0b-3f2e1c4d5a6b"));
/// assert_eq!(event.created().unwrap().to_utc().to_rfc3339(), "2026-05-16T23:49:04.123456+00:00");
/// let EventData::User(user) = event.data() else { unreachable!() };
/// assert_eq!(user.rank_id, Some(3));
/// ```
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    name: EventName,
    created: Option<Timestamp>,
    request_id: Option<String>,
    trace_id: Option<String>,
    data: EventData,
    data_json: Value,
    data_error: Option<String>,
    changes: Map<String, Value>,
}

/// The payload as PERSCOM's server builds it; everything but `event` may be missing.
#[derive(serde::Deserialize)]
struct Payload {
    event: String,
    #[serde(default)]
    created: Value,
    #[serde(default)]
    request_id: Value,
    #[serde(default)]
    trace_id: Value,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    changes: Value,
}

/// A string id, or a number written as one; `None` for null, empty or anything else.
fn id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An ISO-8601 string, a Unix time in seconds, or PHP's `{"date": "...", "timezone": ...}`.
fn timestamp(v: &Value) -> Option<Timestamp> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n
            .as_i64()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .map(Timestamp::from),
        Value::Object(o) => o.get("date").and_then(Value::as_str)?.parse().ok(),
        _ => None,
    }
}

/// PHP arrays are maps: an object as it is, a list keyed by position, nothing for the rest
/// (`null`, and `[]`, PHP's empty array).
fn changes(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Map::new(),
    }
}

impl WebhookEvent {
    /// Decodes a body whose signature has been checked.
    pub(super) fn from_verified_body(body: &[u8]) -> Result<WebhookEvent> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(refused(ErrorKind::Decode, "the delivery's body is empty"));
        }
        let payload: Payload = serde_json::from_slice(body).map_err(|e| {
            refused(
                ErrorKind::Decode,
                format!(
                    "the delivery is not a PERSCOM event (an object with an `event` string): {e}"
                ),
            )
            .with_source(e)
        })?;
        if payload.event.trim().is_empty() {
            return Err(refused(
                ErrorKind::Decode,
                "the delivery's `event` is empty",
            ));
        }
        let name = EventName::from(payload.event.trim());
        let resource = name.as_str().split_once('.').map_or("", |(r, _)| r);
        let (data, data_error) = match typed(&resource.to_ascii_lowercase(), body) {
            Some(Ok(data)) => (data, None),
            Some(Err(e)) => (
                EventData::Other(payload.data.clone()),
                Some(format!(
                    "the data of `{}` did not decode as its resource: {e}",
                    name.as_str()
                )),
            ),
            None => (EventData::Other(payload.data.clone()), None),
        };
        Ok(WebhookEvent {
            created: timestamp(&payload.created),
            request_id: id(&payload.request_id),
            trace_id: id(&payload.trace_id),
            data,
            data_json: payload.data,
            data_error,
            changes: changes(payload.changes),
            name,
        })
    }

    /// The event string (`user.created`).
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.name(), "calendar.deleted");
    /// ```
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The event as an [`EventName`], to match on.
    ///
    /// ```
    /// use permkit::perscom::webhooks::EventName;
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.event_name(), &EventName::CalendarDeleted);
    /// ```
    pub fn event_name(&self) -> &EventName {
        &self.name
    }

    /// The resource part of the name (`user` in `user.created`; the whole name when it has no
    /// dot).
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.resource(), "calendar");
    /// ```
    pub fn resource(&self) -> &str {
        let name = self.name.as_str();
        name.split_once('.').map_or(name, |(r, _)| r)
    }

    /// The action part of the name (`created`, `updated`, `deleted`, or an unknown value).
    ///
    /// ```
    /// use permkit::perscom::webhooks::Action;
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.action(), Action::Deleted);
    /// ```
    pub fn action(&self) -> Action {
        let name = self.name.as_str();
        Action::from(name.split_once('.').map_or("", |(_, a)| a))
    }

    /// The resource, typed. For a `deleted` event it is the resource as it was.
    ///
    /// ```
    /// use permkit::perscom::webhooks::EventData;
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert!(matches!(event.data(), EventData::Calendar(c) if c.name == "Ops"));
    /// ```
    pub fn data(&self) -> &EventData {
        &self.data
    }

    /// The resource, typed, by value.
    ///
    /// ```
    /// use permkit::perscom::webhooks::EventData;
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// if let EventData::Calendar(calendar) = event.into_data() {
    ///     assert_eq!(calendar.color, "red");
    /// }
    /// ```
    pub fn into_data(self) -> EventData {
        self.data
    }

    /// The `data` of the payload as JSON, with every attribute PERSCOM sent (those the types do
    /// not name included). `Null` when the payload had none.
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red","icon":"star"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.data_json()["icon"], "star");
    /// ```
    pub fn data_json(&self) -> &Value {
        &self.data_json
    }

    /// Why the data of a known resource did not decode as its type (then [`data`](Self::data)
    /// is [`EventData::Other`]); `None` when it did, or when the resource has no type.
    ///
    /// ```
    /// use permkit::perscom::webhooks::EventData;
    /// # let secret = permkit::Secret::new("k");
    /// // A user without its required `email`.
    /// let body = br#"{"event":"user.created","data":{"id":5,"name":"Pat"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert!(matches!(event.data(), EventData::Other(_)));
    /// assert!(event.data_error().unwrap().contains("email"));
    /// ```
    pub fn data_error(&self) -> Option<&str> {
        self.data_error.as_deref()
    }

    /// The resource's `id`, when its data has a numeric one.
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.resource_id(), Some(2));
    /// ```
    pub fn resource_id(&self) -> Option<i64> {
        match &self.data_json["id"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The attributes the change set, with their new values (`updated` events). Empty when the
    /// payload had none: PERSCOM sends `[]` (PHP's empty array) for `created` events.
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.updated","data":{"id":2,"name":"Ops","color":"blue"},"changes":{"color":"blue"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.changes()["color"], "blue");
    /// ```
    pub fn changes(&self) -> &Map<String, Value> {
        &self.changes
    }

    /// The id of the PERSCOM request that made the change (the `X-Perscom-Request-Id` header of
    /// its response). A retried delivery repeats it; one request that changes several
    /// resources sends it with each of their events.
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","request_id":"r-1","trace_id":"t-1","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.request_id(), Some("r-1"));
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The trace id of the PERSCOM request that made the change (`X-Perscom-Trace-Id`).
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","request_id":"r-1","trace_id":"t-1","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.trace_id(), Some("t-1"));
    /// ```
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }

    /// When PERSCOM made the event (its `created`), when the payload had a readable one.
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","created":"2026-05-16T23:49:04.000000Z","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.created().unwrap().to_string(), "2026-05-16T23:49:04Z");
    /// ```
    pub fn created(&self) -> Option<Timestamp> {
        self.created
    }

    /// A key that is the same for every delivery of this one event and differs between events:
    /// `request_id`, event name and resource id (`0b5f...:user.updated:12`). `None` without a
    /// `request_id`. Keep the keys you have handled for longer than PERSCOM's retries last
    /// (minutes) and drop a delivery whose key you have seen.
    ///
    /// ```
    /// # let secret = permkit::Secret::new("k");
    /// # let body = br#"{"event":"calendar.deleted","request_id":"r-1","data":{"id":2,"name":"Ops","color":"red"}}"#;
    /// # let event = permkit::perscom::webhooks::verify(body, Some(&permkit::perscom::webhooks::sign(body, &secret)), &secret).unwrap();
    /// assert_eq!(event.dedup_key().as_deref(), Some("r-1:calendar.deleted:2"));
    /// ```
    pub fn dedup_key(&self) -> Option<String> {
        let request = self.request_id.as_deref()?;
        Some(match id(&self.data_json["id"]) {
            Some(resource) => format!("{request}:{}:{resource}", self.name),
            None => format!("{request}:{}", self.name),
        })
    }
}
