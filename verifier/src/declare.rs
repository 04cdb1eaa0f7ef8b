//! Statements declared once.
//!
//! A statement is declared with [`statement!`](crate::statement!): its fields, in order, each
//! with its Rust type and its *layout* (how it becomes public inputs: a [`layout::U64`], a
//! [`layout::Small`] n-bit value, an [`layout::Id`], a [`layout::Digest`], a [`layout::Flag`],
//! or a fixed-size list of those). From that one declaration come the JSON form (the same
//! names and order, `deny_unknown_fields`), [`Declared::named_values`], and one walk over the
//! fields, [`Declared::put`], that every consumer of public inputs shares:
//!
//! - the verifier's encoders ([`crate::encoding`]) put each value into a field of their
//!   backend, one generic encoder per backend;
//! - a circuit's `define` allocates its public inputs through the same walk (the builder
//!   API's `public_statement`) and gets typed handles back: no circuit allocates a public
//!   input by hand, so the order is written in one place.

use crate::bytes::{Digest as DigestValue, Id as IdValue};

/// The handle types of a backend: what a public value of each layout becomes.
pub trait PublicTypes {
    type U64;
    type Small;
    type Id;
    type Digest;
    type Flag;
}

/// Handle types for sinks that return nothing (the encoders).
pub struct NoHandles;

impl PublicTypes for NoHandles {
    type U64 = ();
    type Small = ();
    type Id = ();
    type Digest = ();
    type Flag = ();
}

/// Where the values of a declared statement go, one field at a time, in declaration order.
/// `None` values: the statement is not known (a circuit's key generation).
pub trait PublicSink {
    type Types: PublicTypes;
    type Error;
    fn u64(
        &mut self,
        name: &'static str,
        v: Option<u64>,
    ) -> Result<<Self::Types as PublicTypes>::U64, Self::Error>;
    /// A value the circuit range-checks to `bits` bits (bits < 64), one field element.
    fn small(
        &mut self,
        name: &'static str,
        v: Option<u64>,
        bits: u32,
    ) -> Result<<Self::Types as PublicTypes>::Small, Self::Error>;
    fn id(
        &mut self,
        name: &'static str,
        v: Option<IdValue>,
    ) -> Result<<Self::Types as PublicTypes>::Id, Self::Error>;
    fn digest(
        &mut self,
        name: &'static str,
        v: Option<DigestValue>,
    ) -> Result<<Self::Types as PublicTypes>::Digest, Self::Error>;
    fn flag(
        &mut self,
        name: &'static str,
        v: Option<bool>,
    ) -> Result<<Self::Types as PublicTypes>::Flag, Self::Error>;
    /// A statement whose shape its declaration refuses (`what`: "waterfall statement").
    fn refuse(&mut self, what: &'static str, reason: String) -> Self::Error;
}

/// How a value of type `V` is laid out as public inputs.
pub trait Layout<V> {
    /// What the value becomes in a sink with handle types `T`.
    type Handle<T: PublicTypes>;
    fn put<S: PublicSink>(
        sink: &mut S,
        name: &'static str,
        v: Option<&V>,
    ) -> Result<Self::Handle<S::Types>, S::Error>;
    /// The value for display (`veil verify`, `veil check`).
    fn show(v: &V) -> String;
}

/// A statement (or a record inside one) declared with [`statement!`](crate::statement!).
pub trait Declared: Sized {
    /// The typed handles of the fields, in a sink with handle types `T`.
    type Public<T: PublicTypes>;
    /// The field names, in declaration order (the JSON order, the public-input order).
    const FIELDS: &'static [&'static str];
    /// Puts every field into `sink`, in order, after checking the shape where the declaration
    /// names a check.
    fn put<S: PublicSink>(
        sink: &mut S,
        value: Option<&Self>,
    ) -> Result<Self::Public<S::Types>, S::Error>;
    /// The statement as (name, value) pairs, for display.
    fn named_values(&self) -> Vec<(&'static str, String)>;
    /// Refuses a shape the layouts cannot hold (the declaration's `check`), before any
    /// value is put.
    fn check_shape(&self) -> Result<(), String>;
}

/// How a record inside a list shows as one item ("<recipient> cap 5").
pub trait ShowItem {
    fn show_item(&self) -> String;
}

/// The layouts.
pub mod layout {
    use super::*;

    fn list(items: Vec<String>) -> String {
        if items.is_empty() {
            "(none)".to_string()
        } else {
            items.join("; ")
        }
    }

    /// An exact unsigned 64-bit value.
    pub struct U64;
    impl Layout<u64> for U64 {
        type Handle<T: PublicTypes> = T::U64;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&u64>,
        ) -> Result<<S::Types as PublicTypes>::U64, S::Error> {
            s.u64(name, v.copied())
        }
        fn show(v: &u64) -> String {
            v.to_string()
        }
    }

    /// A value of `BITS` bits (BITS < 64), range-checked by the circuit, one field element.
    pub struct Small<const BITS: u32>;
    impl<const BITS: u32> Layout<u64> for Small<BITS> {
        type Handle<T: PublicTypes> = T::Small;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&u64>,
        ) -> Result<<S::Types as PublicTypes>::Small, S::Error> {
            s.small(name, v.copied(), BITS)
        }
        fn show(v: &u64) -> String {
            v.to_string()
        }
    }
    impl<const BITS: u32> Layout<u32> for Small<BITS> {
        type Handle<T: PublicTypes> = T::Small;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&u32>,
        ) -> Result<<S::Types as PublicTypes>::Small, S::Error> {
            s.small(name, v.map(|v| u64::from(*v)), BITS)
        }
        fn show(v: &u32) -> String {
            v.to_string()
        }
    }

    /// A 32-byte identifier, encoded injectively.
    pub struct Id;
    impl Layout<IdValue> for Id {
        type Handle<T: PublicTypes> = T::Id;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&IdValue>,
        ) -> Result<<S::Types as PublicTypes>::Id, S::Error> {
            s.id(name, v.copied())
        }
        fn show(v: &IdValue) -> String {
            v.to_hex()
        }
    }

    /// A digest or secret of the backend's hash (refused unless canonical for the backend).
    pub struct Digest;
    impl Layout<DigestValue> for Digest {
        type Handle<T: PublicTypes> = T::Digest;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&DigestValue>,
        ) -> Result<<S::Types as PublicTypes>::Digest, S::Error> {
            s.digest(name, v.copied())
        }
        fn show(v: &DigestValue) -> String {
            v.to_hex()
        }
    }

    /// A flag, 0 or 1.
    pub struct Flag;
    impl Layout<bool> for Flag {
        type Handle<T: PublicTypes> = T::Flag;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&bool>,
        ) -> Result<<S::Types as PublicTypes>::Flag, S::Error> {
            s.flag(name, v.copied())
        }
        fn show(v: &bool) -> String {
            v.to_string()
        }
    }

    /// An optional u64: a flag (present) then the value (0 when absent).
    pub struct OptionalU64;
    /// The handles of an [`OptionalU64`].
    pub struct Optional<F, U> {
        pub present: F,
        pub value: U,
    }
    impl Layout<Option<u64>> for OptionalU64 {
        type Handle<T: PublicTypes> = Optional<T::Flag, T::U64>;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&Option<u64>>,
        ) -> Result<Self::Handle<S::Types>, S::Error> {
            Ok(Optional {
                present: s.flag(name, v.map(|v| v.is_some()))?,
                value: s.u64(name, v.map(|v| v.unwrap_or(0)))?,
            })
        }
        fn show(v: &Option<u64>) -> String {
            match v {
                Some(v) => v.to_string(),
                None => "none".to_string(),
            }
        }
    }

    /// A record declared with [`statement!`](crate::statement!), its fields in order.
    pub struct Record;
    impl<V: Declared + ShowItem> Layout<V> for Record {
        type Handle<T: PublicTypes> = V::Public<T>;
        fn put<S: PublicSink>(
            s: &mut S,
            _name: &'static str,
            v: Option<&V>,
        ) -> Result<Self::Handle<S::Types>, S::Error> {
            V::put(s, v)
        }
        fn show(v: &V) -> String {
            v.show_item()
        }
    }

    /// Up to `N` items, each in a slot of (active flag, the item's layout `L`); unused slots
    /// are all zero (the item's `Default`), and the active flags are a prefix, which keeps the
    /// encoding injective.
    pub struct Slots<L, const N: usize>(std::marker::PhantomData<L>);
    /// One slot of [`Slots`].
    pub struct Slot<F, H> {
        pub active: F,
        pub item: H,
    }
    impl<V: Default, L: Layout<V>, const N: usize> Layout<Vec<V>> for Slots<L, N> {
        type Handle<T: PublicTypes> = Vec<Slot<T::Flag, L::Handle<T>>>;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&Vec<V>>,
        ) -> Result<Self::Handle<S::Types>, S::Error> {
            let empty = V::default();
            (0..N)
                .map(|j| {
                    let item = v.map(|v| v.get(j));
                    Ok(Slot {
                        active: s.flag(name, item.map(|i| i.is_some()))?,
                        item: L::put(s, name, item.map(|i| i.unwrap_or(&empty)))?,
                    })
                })
                .collect()
        }
        fn show(v: &Vec<V>) -> String {
            list(v.iter().map(L::show).collect())
        }
    }

    /// Exactly `N` values of layout `L`: the list's, then zeros (the item's `Default`).
    pub struct Padded<L, const N: usize>(std::marker::PhantomData<L>);
    impl<V: Default, L: Layout<V>, const N: usize> Layout<Vec<V>> for Padded<L, N> {
        type Handle<T: PublicTypes> = Vec<L::Handle<T>>;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&Vec<V>>,
        ) -> Result<Self::Handle<S::Types>, S::Error> {
            let empty = V::default();
            (0..N)
                .map(|j| L::put(s, name, v.map(|v| v.get(j).unwrap_or(&empty))))
                .collect()
        }
        fn show(v: &Vec<V>) -> String {
            list(v.iter().map(L::show).collect())
        }
    }

    /// An index below `N` as `N` flags, the one at the index set.
    pub struct OneHot<const N: usize>;
    impl<const N: usize> Layout<u32> for OneHot<N> {
        type Handle<T: PublicTypes> = Vec<T::Flag>;
        fn put<S: PublicSink>(
            s: &mut S,
            name: &'static str,
            v: Option<&u32>,
        ) -> Result<Self::Handle<S::Types>, S::Error> {
            (0..N)
                .map(|k| s.flag(name, v.map(|v| k == *v as usize)))
                .collect()
        }
        fn show(v: &u32) -> String {
            v.to_string()
        }
    }
}

/// Declares a statement (or a record inside one): the struct with its serde form, its typed
/// public handles, and its [`Declared`] walk.
///
/// ```text
/// veil_verifier::statement! {
///     /// What the proof says.
///     pub struct RangeStatement => RangePublic {
///         /// The bound.
///         pub bound: u64 => U64,
///         pub commitment: Digest => Digest,
///     }
/// }
/// ```
///
/// Each field names its Rust type and its layout (a type of [`layout`]). `check = f,
/// "what"` before `pub struct` runs `f(&statement) -> Result<(), String>` before any value
/// is put (refusing shapes the layouts cannot hold).
#[macro_export]
macro_rules! statement {
    (
        $(check = $check:path, $what:literal;)?
        $(#[$meta:meta])*
        pub struct $name:ident => $public:ident {
            $(
                $(#[$fmeta:meta])*
                pub $field:ident : $ty:ty => $layout:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Debug, PartialEq, Eq, $crate::serde::Serialize, $crate::serde::Deserialize,
        )]
        #[serde(crate = "veil_verifier::serde", deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        #[doc = concat!("The public handles of a [`", stringify!($name), "`], in declaration order.")]
        pub struct $public<T: $crate::declare::PublicTypes> {
            $( pub $field: <$layout as $crate::declare::Layout<$ty>>::Handle<T>, )*
        }

        impl $crate::declare::Declared for $name {
            type Public<T: $crate::declare::PublicTypes> = $public<T>;
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn put<S: $crate::declare::PublicSink>(
                sink: &mut S,
                value: ::core::option::Option<&Self>,
            ) -> ::core::result::Result<$public<S::Types>, S::Error> {
                let _what = "";
                $( let _what = $what; )?
                if let Some(v) = value {
                    if let Err(reason) = v.check_shape() {
                        return Err(sink.refuse(_what, reason));
                    }
                }
                Ok($public {
                    $( $field: <$layout as $crate::declare::Layout<$ty>>::put(
                        sink,
                        stringify!($field),
                        value.map(|v| &v.$field),
                    )?, )*
                })
            }
            fn check_shape(&self) -> ::core::result::Result<(), ::std::string::String> {
                $( return $check(self); )?
                #[allow(unreachable_code)]
                Ok(())
            }
            fn named_values(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                vec![$(
                    (stringify!($field), <$layout as $crate::declare::Layout<$ty>>::show(&self.$field)),
                )*]
            }
        }
    };
}
