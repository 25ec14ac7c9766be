pub use leadform_standins as standins;
