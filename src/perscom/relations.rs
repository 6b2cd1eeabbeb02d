//! Helpers for the bodies of batch and relation operations, where the generated types are
//! awkward to build by hand: ids or `{id: pivot}` objects for attach/detach/sync/toggle, batch
//! updates keyed by id, batch deletes carrying ids.
//!
//! ```
//! use permkit::perscom::types::{AttachRequest, BatchDeleteRequest, RelatedResources, RelationPivot, UserBatchUpdate, UserUpdate};
//!
//! let attach = AttachRequest::ids([3, 4]).allow_duplicates();
//! assert_eq!(serde_json::to_value(&attach).unwrap(), serde_json::json!({"resources": [3, 4], "duplicates": true}));
//!
//! let mut pivot = RelationPivot::default();
//! pivot.order = Some(2);
//! let with_pivot = RelatedResources::with_pivots([(9, pivot)]);
//! assert_eq!(serde_json::to_value(&with_pivot).unwrap(), serde_json::json!({"9": {"order": 2}}));
//!
//! let mut rename = UserUpdate::default();
//! rename.name = Some("Jane Doe".into());
//! let batch = UserBatchUpdate::keyed([(5, rename)]);
//! assert_eq!(serde_json::to_value(&batch).unwrap()["resources"]["5"]["name"], "Jane Doe");
//!
//! let delete = BatchDeleteRequest::ids([5, 7]);
//! assert_eq!(serde_json::to_value(&delete).unwrap(), serde_json::json!({"resources": [5, 7]}));
//! ```

use super::types::{
    AssociateRequest, AttachRequest, BatchDeleteRequest, DetachRequest, PivotUpdateRequest,
    RelatedIds, RelatedPivots, RelatedResources, RelationPivot, SyncRequest, ToggleRequest,
};

impl RelatedResources {
    /// Related ids: `[3, 4]`.
    pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
        RelatedResources::Ids(RelatedIds(ids.into_iter().collect()))
    }

    /// Related ids with the pivot values to store: `{"3": {...}}`.
    pub fn with_pivots(pivots: impl IntoIterator<Item = (i64, RelationPivot)>) -> Self {
        RelatedResources::Pivots(RelatedPivots(
            pivots
                .into_iter()
                .map(|(id, p)| (id.to_string(), p))
                .collect(),
        ))
    }
}

impl From<Vec<i64>> for RelatedResources {
    fn from(ids: Vec<i64>) -> Self {
        RelatedResources::ids(ids)
    }
}

impl AttachRequest {
    /// Attach these ids (no pivot values, no duplicates).
    pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
        AttachRequest::new(RelatedResources::ids(ids))
    }
    /// Attach `resources` (ids, or ids with pivot values).
    pub fn new(resources: RelatedResources) -> Self {
        AttachRequest {
            duplicates: false,
            resources,
        }
    }
    /// Allows attaching an id that is already attached.
    pub fn allow_duplicates(mut self) -> Self {
        self.duplicates = true;
        self
    }
}

impl DetachRequest {
    /// Detach these ids.
    pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
        DetachRequest {
            resources: RelatedResources::ids(ids),
        }
    }
}

impl SyncRequest {
    /// Make the relation hold exactly these ids (others are detached).
    pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
        SyncRequest::new(RelatedResources::ids(ids))
    }
    /// Sync `resources` (ids, or ids with pivot values); others are detached.
    pub fn new(resources: RelatedResources) -> Self {
        SyncRequest {
            detaching: true,
            resources,
        }
    }
    /// Keeps ids that are not listed (`detaching: false`): attach or update only.
    pub fn without_detaching(mut self) -> Self {
        self.detaching = false;
        self
    }
}

impl ToggleRequest {
    /// Attach the listed ids that are detached and detach those that are attached.
    pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
        ToggleRequest {
            resources: RelatedResources::ids(ids),
        }
    }
    /// Toggle `resources` (ids, or ids with pivot values for those attached).
    pub fn new(resources: RelatedResources) -> Self {
        ToggleRequest { resources }
    }
}

impl PivotUpdateRequest {
    /// Update the pivot values of one related id.
    pub fn new(pivot: RelationPivot) -> Self {
        PivotUpdateRequest { pivot }
    }
}

impl AssociateRequest {
    /// Associate the existing entity `id` with the parent.
    pub fn new(id: i64) -> Self {
        AssociateRequest { related_key: id }
    }
}

impl BatchDeleteRequest {
    /// Delete these ids (sent as the body of a `DELETE`).
    pub fn ids(ids: impl IntoIterator<Item = i64>) -> Self {
        BatchDeleteRequest {
            resources: ids.into_iter().collect(),
        }
    }
}

/// `XBatchCreate::new(items)` and `XBatchUpdate::keyed((id, update)...)` for every model.
macro_rules! batch_helpers {
    ($($create:ident, $batch_create:ident, $update:ident, $batch_update:ident;)*) => {$(
        impl super::types::$batch_create {
            /// Creates all of `items` in one transaction (`{"resources": [...]}`).
            pub fn new(items: impl IntoIterator<Item = super::types::$create>) -> Self {
                Self { resources: items.into_iter().collect() }
            }
        }
        impl super::types::$batch_update {
            /// Updates keyed by id (`{"resources": {"5": {...}}}`), in one transaction.
            pub fn keyed(items: impl IntoIterator<Item = (i64, super::types::$update)>) -> Self {
                Self { resources: items.into_iter().map(|(id, u)| (id.to_string(), u)).collect() }
            }
        }
    )*};
}

batch_helpers! {
    AnnouncementCreate, AnnouncementBatchCreate, AnnouncementUpdate, AnnouncementBatchUpdate;
    AssignmentRecordCreate, AssignmentRecordBatchCreate, AssignmentRecordUpdate, AssignmentRecordBatchUpdate;
    AwardCreate, AwardBatchCreate, AwardUpdate, AwardBatchUpdate;
    AwardRecordCreate, AwardRecordBatchCreate, AwardRecordUpdate, AwardRecordBatchUpdate;
    CalendarCreate, CalendarBatchCreate, CalendarUpdate, CalendarBatchUpdate;
    CategoryCreate, CategoryBatchCreate, CategoryUpdate, CategoryBatchUpdate;
    CombatRecordCreate, CombatRecordBatchCreate, CombatRecordUpdate, CombatRecordBatchUpdate;
    CommentCreate, CommentBatchCreate, CommentUpdate, CommentBatchUpdate;
    CompetencyCreate, CompetencyBatchCreate, CompetencyUpdate, CompetencyBatchUpdate;
    CredentialCreate, CredentialBatchCreate, CredentialUpdate, CredentialBatchUpdate;
    DocumentCreate, DocumentBatchCreate, DocumentUpdate, DocumentBatchUpdate;
    EventCreate, EventBatchCreate, EventUpdate, EventBatchUpdate;
    FieldCreate, FieldBatchCreate, FieldUpdate, FieldBatchUpdate;
    FormCreate, FormBatchCreate, FormUpdate, FormBatchUpdate;
    GroupCreate, GroupBatchCreate, GroupUpdate, GroupBatchUpdate;
    IssuerCreate, IssuerBatchCreate, IssuerUpdate, IssuerBatchUpdate;
    MessageCreate, MessageBatchCreate, MessageUpdate, MessageBatchUpdate;
    PositionCreate, PositionBatchCreate, PositionUpdate, PositionBatchUpdate;
    QualificationCreate, QualificationBatchCreate, QualificationUpdate, QualificationBatchUpdate;
    QualificationRecordCreate, QualificationRecordBatchCreate, QualificationRecordUpdate, QualificationRecordBatchUpdate;
    RankCreate, RankBatchCreate, RankUpdate, RankBatchUpdate;
    RankRecordCreate, RankRecordBatchCreate, RankRecordUpdate, RankRecordBatchUpdate;
    ServiceRecordCreate, ServiceRecordBatchCreate, ServiceRecordUpdate, ServiceRecordBatchUpdate;
    SlotCreate, SlotBatchCreate, SlotUpdate, SlotBatchUpdate;
    SpecialtyCreate, SpecialtyBatchCreate, SpecialtyUpdate, SpecialtyBatchUpdate;
    StatusCreate, StatusBatchCreate, StatusUpdate, StatusBatchUpdate;
    SubmissionCreate, SubmissionBatchCreate, SubmissionUpdate, SubmissionBatchUpdate;
    TaskCreate, TaskBatchCreate, TaskUpdate, TaskBatchUpdate;
    TrainingRecordCreate, TrainingRecordBatchCreate, TrainingRecordUpdate, TrainingRecordBatchUpdate;
    UnitCreate, UnitBatchCreate, UnitUpdate, UnitBatchUpdate;
    UserCreate, UserBatchCreate, UserUpdate, UserBatchUpdate;
}

/// `XBatchCreateNested::new(items)` for the batch creates under a parent (`/users/{user}/...`,
/// `/forms/{form}/submissions`), whose items leave out the parent's key.
macro_rules! nested_batch_helpers {
    ($($create:ident, $batch_create:ident;)*) => {$(
        impl super::types::$batch_create {
            /// Creates all of `items` under the parent in one transaction (`{"resources": [...]}`).
            pub fn new(items: impl IntoIterator<Item = super::types::$create>) -> Self {
                Self { resources: items.into_iter().collect() }
            }
        }
    )*};
}

nested_batch_helpers! {
    AssignmentRecordCreateNested, AssignmentRecordBatchCreateNested;
    AwardRecordCreateNested, AwardRecordBatchCreateNested;
    CombatRecordCreateNested, CombatRecordBatchCreateNested;
    QualificationRecordCreateNested, QualificationRecordBatchCreateNested;
    RankRecordCreateNested, RankRecordBatchCreateNested;
    ServiceRecordCreateNested, ServiceRecordBatchCreateNested;
    SubmissionCreateNested, SubmissionBatchCreateNested;
}
