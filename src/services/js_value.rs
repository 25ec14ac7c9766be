//! Reads serde types straight out of the values the browser parsed (`JSON.parse`, the first
//! markup's object): the widget's one reader of JSON.
//!
//! It replaces serde-wasm-bindgen's deserializer for a reason of bytes: that one builds serde's
//! "invalid type: floating point `1.5`, expected …" messages, and formatting that float pulls all
//! of Rust's float printing (about 14 KB) into the wasm for a message no visitor ever sees. Here
//! every serde error is an enum variant built without formatting a value.

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::fmt::Display;
use wasm_bindgen::{JsCast, JsValue};

/// Why a browser value could not be read as the type asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsReadError {
    #[error("`{0}` is missing")]
    MissingField(&'static str),
    #[error("`{0}` is not expected here")]
    UnknownField(String),
    #[error("`{0}` appears twice")]
    DuplicateField(&'static str),
    #[error("`{0}` is not one of the known choices")]
    UnknownVariant(String),
    #[error("a value has the wrong type or is out of range")]
    WrongShape,
    #[error("{0}")]
    Invalid(String),
}

impl de::Error for JsReadError {
    fn custom<T: Display>(message: T) -> Self {
        JsReadError::Invalid(message.to_string())
    }

    // serde's defaults for the ones below format the offending value (a float among them):
    // overriding every one keeps that formatting out of the wasm.
    fn invalid_type(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        JsReadError::WrongShape
    }

    fn invalid_value(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        JsReadError::WrongShape
    }

    fn invalid_length(_: usize, _: &dyn de::Expected) -> Self {
        JsReadError::WrongShape
    }

    fn unknown_variant(variant: &str, _: &'static [&'static str]) -> Self {
        JsReadError::UnknownVariant(variant.to_owned())
    }

    fn unknown_field(field: &str, _: &'static [&'static str]) -> Self {
        JsReadError::UnknownField(field.to_owned())
    }

    fn missing_field(field: &'static str) -> Self {
        JsReadError::MissingField(field)
    }

    fn duplicate_field(field: &'static str) -> Self {
        JsReadError::DuplicateField(field)
    }
}

/// Reads `value` (a plain value as `JSON.parse` returns it) as a `T`.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsReadError> {
    T::deserialize(JsValueReader(value))
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

struct JsValueReader(JsValue);

/// What a browser value is, found once outside the generic code, so that each type read
/// does not carry its own copy of these checks.
enum Shape {
    Nothing,
    Flag(bool),
    Count(u64),
    Negative(i64),
    Fraction(f64),
    Text(String),
    Array(js_sys::Array),
    Object(JsValue, js_sys::Array),
    Other,
}

impl Shape {
    #[inline(never)]
    fn of(value: JsValue) -> Shape {
        if value.is_null() || value.is_undefined() {
            return Shape::Nothing;
        }
        if let Some(flag) = value.as_bool() {
            return Shape::Flag(flag);
        }
        if let Some(number) = value.as_f64() {
            // JSON has one number type; whole numbers go as integers so integer fields read them.
            if number.fract() != 0.0 || number.abs() > MAX_SAFE_INTEGER {
                return Shape::Fraction(number);
            }
            return if number < 0.0 {
                Shape::Negative(number as i64)
            } else {
                Shape::Count(number as u64)
            };
        }
        if let Some(text) = value.as_string() {
            return Shape::Text(text);
        }
        if js_sys::Array::is_array(&value) {
            return Shape::Array(value.unchecked_into());
        }
        if value.is_object() {
            let keys = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>());
            return Shape::Object(value, keys);
        }
        Shape::Other
    }
}

impl<'de> de::Deserializer<'de> for JsValueReader {
    type Error = JsReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsReadError> {
        match Shape::of(self.0) {
            Shape::Nothing => visitor.visit_unit(),
            Shape::Flag(flag) => visitor.visit_bool(flag),
            Shape::Count(count) => visitor.visit_u64(count),
            Shape::Negative(number) => visitor.visit_i64(number),
            Shape::Fraction(number) => visitor.visit_f64(number),
            Shape::Text(text) => visitor.visit_string(text),
            Shape::Array(items) => visitor.visit_seq(ArrayReader {
                length: items.length(),
                items,
                next: 0,
            }),
            Shape::Object(object, keys) => visitor.visit_map(ObjectReader {
                length: keys.length(),
                object,
                keys,
                next: 0,
                pending: JsValue::UNDEFINED,
            }),
            Shape::Other => Err(JsReadError::WrongShape),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsReadError> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsReadError> {
        visitor.visit_newtype_struct(self)
    }

    /// Every enum the widget reads is a set of names (`"contact"`, `"after_consent"`), written
    /// as a JSON string.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsReadError> {
        match self.0.as_string() {
            Some(name) => visitor.visit_enum(UnitVariant(name)),
            None => Err(JsReadError::WrongShape),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsReadError> {
        // An unknown key's value is skipped without walking it.
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct ArrayReader {
    items: js_sys::Array,
    length: u32,
    next: u32,
}

impl<'de> SeqAccess<'de> for ArrayReader {
    type Error = JsReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsReadError> {
        if self.next >= self.length {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(JsValueReader(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.length - self.next) as usize)
    }
}

struct ObjectReader {
    object: JsValue,
    keys: js_sys::Array,
    length: u32,
    next: u32,
    /// The key just read, whose value `next_value_seed` reads.
    pending: JsValue,
}

impl<'de> MapAccess<'de> for ObjectReader {
    type Error = JsReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsReadError> {
        if self.next >= self.length {
            return Ok(None);
        }
        self.pending = self.keys.get(self.next);
        self.next += 1;
        seed.deserialize(JsValueReader(self.pending.clone()))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, JsReadError> {
        let value = js_sys::Reflect::get(&self.object, &self.pending).unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(JsValueReader(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.length - self.next) as usize)
    }
}

/// A variant named by a string, carrying nothing.
struct UnitVariant(String);

impl<'de> EnumAccess<'de> for UnitVariant {
    type Error = JsReadError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), JsReadError> {
        let name: de::value::StrDeserializer<'_, JsReadError> = self.0.as_str().into_deserializer();
        let variant = seed.deserialize(name)?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant {
    type Error = JsReadError;

    fn unit_variant(self) -> Result<(), JsReadError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        _seed: T,
    ) -> Result<T::Value, JsReadError> {
        Err(JsReadError::WrongShape)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, JsReadError> {
        Err(JsReadError::WrongShape)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, JsReadError> {
        Err(JsReadError::WrongShape)
    }
}
