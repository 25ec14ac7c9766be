//! Made-up people and companies for demo leads (`example` domains only, so nothing real is mailed).

use crate::random::DemoRandom;

const FIRST_NAMES: [&str; 24] = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Tim",
    "Barbara",
    "Dennis",
    "Frances",
    "Ken",
    "Radia",
    "Edsger",
    "Hedy",
    "John",
    "Sophie",
    "Niklaus",
    "Anita",
    "Donald",
    "Joan",
    "Leslie",
    "Mary",
    "Yukihiro",
    "Shafi",
];
const LAST_NAMES: [&str; 20] = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Berners-Lee",
    "Liskov",
    "Ritchie",
    "Allen",
    "Thompson",
    "Perlman",
    "Dijkstra",
    "Lamarr",
    "Backus",
    "Wilson",
    "Wirth",
    "Borg",
    "Knuth",
    "Clarke",
];
const COMPANIES: [&str; 16] = [
    "Analytical Engines",
    "Northwind Traders",
    "Contoso Retail",
    "Fabrikam Health",
    "Globex",
    "Initech",
    "Umbrella Logistics",
    "Hooli Cloud",
    "Wayne Enterprises",
    "Tyrell Data",
    "Soylent Foods",
    "Acme Analytics",
    "Vandelay Imports",
    "Stark Energy",
    "Cyberdyne Systems",
    "Wonka Confectionery",
];
const JOB_TITLES: [&str; 8] = [
    "Marketing Manager",
    "Head of Growth",
    "Data Analyst",
    "CMO",
    "Sales Operations Lead",
    "Product Marketing Manager",
    "BI Developer",
    "Founder",
];
const MESSAGES: [&str; 5] = [
    "We would like to see how the dashboards work with our CRM data.",
    "Can you send pricing for a team of 25?",
    "Our current reports take a day to build; looking for something faster.",
    "Interested in a demo next week, mornings work best.",
    "Do you support single sign-on and an EU data region?",
];

/// A made-up person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DemoPerson {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub job_title: String,
    pub email: String,
}

impl DemoPerson {
    pub(crate) fn invent(random: &mut DemoRandom, number: usize) -> DemoPerson {
        let first_name = random.pick(&FIRST_NAMES).to_string();
        let last_name = random.pick(&LAST_NAMES).to_string();
        let company = random.pick(&COMPANIES).to_string();
        let domain: String = company
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        // The number keeps two people with the same name apart.
        let email = format!(
            "{}.{}{number}@{domain}.example",
            first_name.to_lowercase(),
            last_name.to_lowercase()
        );
        DemoPerson {
            first_name,
            last_name,
            company,
            job_title: random.pick(&JOB_TITLES).to_string(),
            email,
        }
    }
}

pub(crate) fn message(random: &mut DemoRandom) -> &'static str {
    random.pick::<&'static str>(&MESSAGES)
}
