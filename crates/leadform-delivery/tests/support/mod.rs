pub mod standins;
