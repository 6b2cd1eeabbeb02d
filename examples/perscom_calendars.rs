//! PERSCOM calendars and events: the calendars and upcoming events; then (on the sandbox, or a
//! real server with `PERMKIT_TOUR_WRITES=1`) a calendar of the example's own with one event,
//! the event moved, and both deleted.
//!
//! ```text
//! cargo run --example perscom_calendars
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise.

mod common;

use common::Outcome;
use permkit::Timestamp;
use permkit::perscom::types::{CalendarCreate, EventCreate, EventUpdate};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    let calendars = client.list_calendars().send().await?;
    println!("{:?} calendars", calendars.total_count);
    for c in &calendars.items {
        println!("  #{} {}", c.id, c.name);
    }
    let events = client
        .list_events()
        .include("calendar")
        .limit(10u64)
        .send()
        .await?;
    println!(
        "{:?} events; the first {}:",
        events.total_count,
        events.items.len()
    );
    for e in &events.items {
        let calendar = e.calendar.as_ref().map(|c| c.name.as_str()).unwrap_or("?");
        println!("  {} ({calendar}) starts {}", e.name, e.starts);
    }

    if !run.creates("a calendar and an event of the example's own") {
        return Ok(());
    }
    let calendar = CalendarCreate::builder()
        .name(format!("permkit example {}", common::stamp()))
        .color("#2563eb");
    let calendar = client.create_calendar().body(calendar).send().await?;
    let start = chrono::Utc::now() + chrono::Days::new(7);
    let event = EventCreate::builder()
        .name("permkit example drill")
        .calendar_id(calendar.id)
        .starts(Timestamp::from(start))
        .ends(Some(Timestamp::from(start + chrono::Duration::hours(2))))
        .all_day(false);
    let event = client.create_event().body(event).send().await?;
    println!(
        "\ncalendar #{}: event #{} {}",
        calendar.id, event.id, event.name
    );
    let moved = client
        .patch_event(event.id)
        .body(EventUpdate {
            starts: Some(Timestamp::from(start + chrono::Days::new(1))),
            ends: Some(Timestamp::from(
                start + chrono::Days::new(1) + chrono::Duration::hours(2),
            )),
            ..Default::default()
        })
        .send()
        .await?;
    println!("moved to {}", moved.starts);
    let one = client.get_event(event.id).send().await?;
    println!("read back: {} at {}", one.name, one.starts);
    client.delete_event(event.id).send().await?;
    client.delete_calendar(calendar.id).send().await?;
    println!("deleted event #{} and calendar #{}", event.id, calendar.id);
    Ok(())
}
