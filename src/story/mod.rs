//! Deliveries read together, as Persona's story: one resource's events in the order Persona
//! created them, with how they arrived (`timeline`), and one event's copies as Persona retried
//! it (`retry_chain`). A handler's bugs live between deliveries: Persona does not promise
//! order, and retries carry the same event id.

pub mod retry_chain;
pub mod timeline;

pub use retry_chain::{ChainCopy, RetryChain};
pub use timeline::{
    Mention, MentionVia, Timeline, TimelineEntry, TimelineFlag, TimelineFlagNote, TimelineResource,
};
