"""The demo portfolio's cast: three funds, twenty-five companies, three users.

Names are invented; any resemblance to real firms is accidental. Numbers
that shape the story (entry and exit multiples, growth, leverage) are set
here, by hand, so that each fund reads like a real one: Fund II mature and
mostly realized, Fund III mid-life, Fund IV still investing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

AS_OF = date(2025, 12, 31)
"""Every demo figure is as of this quarter end, whatever day it is loaded."""

SEED = 20251231


@dataclass(frozen=True, slots=True)
class FundSpec:
    name: str
    vintage_year: int
    first_close: date
    commitments_m: float
    target_m: float
    strategy: str
    status: str


@dataclass(frozen=True, slots=True)
class CompanySpec:
    name: str
    fund: int  # index into FUNDS
    sector: str
    geography: str
    entry: date
    entry_revenue_m: float  # LTM revenue at entry, millions
    growth: float  # annual revenue growth under ownership
    ebitda_margin: float  # at entry
    margin_gain: float  # EBITDA margin points gained per year
    entry_multiple: float  # EV / LTM EBITDA paid
    exit_multiple: float  # EV / LTM EBITDA at exit (or the current mark)
    leverage: float  # net debt / EBITDA at entry
    ownership: float
    exit: date | None = None
    description: str = ""


FUNDS = [
    FundSpec("Alder Ridge Capital II", 2013, date(2013, 3, 15), 750.0, 750.0, "buyout", "harvesting"),
    FundSpec("Alder Ridge Capital III", 2018, date(2018, 2, 15), 1150.0, 1250.0, "buyout", "investing"),
    FundSpec("Alder Ridge Growth IV", 2023, date(2023, 1, 31), 1000.0, 1000.0, "growth", "investing"),
]

SOFTWARE = "Software"

COMPANIES = [
    # Fund II: mostly realized.
    CompanySpec("Brightwater Logistics", 0, "Industrials", "North America", date(2013, 5, 14), 180, 0.07, 0.14, 0.0033, 8.0, 9.0, 4.5, 0.8, date(2018, 6, 20), "Regional freight brokerage and warehousing."),
    CompanySpec("Cedar Health Partners", 0, "Healthcare", "North America", date(2013, 9, 10), 140, 0.09, 0.16, 0.0027, 9.0, 11.0, 4.8, 0.75, date(2019, 3, 12), "Physician practice management."),
    CompanySpec("Nordlys Software", 0, SOFTWARE, "Nordics", date(2014, 2, 18), 60, 0.22, 0.18, 0.0067, 11.0, 13.0, 4.0, 0.70, date(2019, 11, 5), "Payroll software for mid-sized employers."),
    CompanySpec("Harbor Consumer Brands", 0, "Consumer", "North America", date(2014, 7, 22), 220, 0.04, 0.12, 0.0013, 8.5, 8.0, 5.0, 0.85, date(2016, 12, 15), "Private-label household goods; written off after a lost key account."),
    CompanySpec("Keystone Testing Services", 0, "Business Services", "UK & Ireland", date(2015, 1, 20), 95, 0.08, 0.17, 0.0033, 8.0, 9.5, 4.2, 0.78, date(2020, 9, 30), "Materials testing and inspection."),
    CompanySpec("Meridian Dental Group", 0, "Healthcare", "Western Europe", date(2015, 6, 9), 120, 0.1, 0.15, 0.004, 10.0, 12.0, 5.0, 0.65, date(2021, 6, 16), "Dental clinic roll-up."),
    CompanySpec("Quarry Lane Foods", 0, "Consumer", "UK & Ireland", date(2016, 3, 15), 260, 0.05, 0.11, 0.002, 9.0, 10.0, 4.6, 0.8, None, "Chilled ready meals for grocers."),
    CompanySpec("Vantage Controls", 0, "Industrials", "Western Europe", date(2016, 8, 23), 150, 0.06, 0.15, 0.0027, 9.5, 10.5, 4.4, 0.72, None, "Industrial automation components."),
    # Fund III: mid-life.
    CompanySpec("Atlas Fieldworks", 1, SOFTWARE, "North America", date(2018, 4, 17), 48, 0.30, 0.12, 0.01, 16.0, 17.0, 5.0, 0.62, date(2023, 5, 9), "Field-service management SaaS."),
    CompanySpec("Bluefin Payments", 1, "Financial Services", "Western Europe", date(2018, 7, 24), 85, 0.18, 0.22, 0.0033, 14.0, 15.0, 4.0, 0.55, date(2024, 2, 27), "Merchant payment processing."),
    CompanySpec("Copperline Networks", 1, "Business Services", "North America", date(2018, 11, 6), 130, 0.09, 0.18, 0.002, 10.0, 10.5, 5.2, 0.8, date(2025, 4, 15), "Managed network services for retailers."),
    CompanySpec("Driftwood Pet Care", 1, "Consumer", "North America", date(2019, 3, 19), 170, 0.11, 0.13, 0.0027, 12.0, 12.5, 4.8, 0.75, None, "Veterinary clinics and pet pharmacy."),
    CompanySpec("Evergreen Labs", 1, "Healthcare", "Western Europe", date(2019, 8, 13), 110, 0.13, 0.19, 0.0027, 13.0, 13.5, 4.5, 0.7, None, "Contract research laboratory services."),
    CompanySpec("Fjord Analytics", 1, SOFTWARE, "Nordics", date(2020, 1, 28), 36, 0.33, 0.08, 0.0117, 20.0, 21.0, 3.5, 0.60, None, "Supply-chain analytics SaaS."),
    CompanySpec("Granite Building Products", 1, "Industrials", "North America", date(2020, 6, 16), 240, 0.06, 0.14, 0.0017, 9.0, 9.0, 6.6, 0.85, None, "Roofing and siding distribution."),
    CompanySpec("Helix Compliance", 1, SOFTWARE, "UK & Ireland", date(2020, 10, 20), 42, 0.26, 0.15, 0.0083, 18.0, 19.0, 4.5, 0.65, None, "Regulatory compliance software for banks."),
    CompanySpec("Ironbridge Facilities", 1, "Business Services", "UK & Ireland", date(2021, 4, 13), 155, 0.07, 0.12, 0.002, 10.5, 10.5, 5.0, 0.8, None, "Facilities maintenance outsourcing."),
    CompanySpec("Juniper Specialty Pharma", 1, "Healthcare", "North America", date(2021, 9, 21), 125, 0.1, 0.21, 0.002, 14.0, 14.0, 4.8, 0.7, None, "Specialty pharmacy services."),
    # Fund IV: investing.
    CompanySpec("Kestrel Cloud Security", 2, SOFTWARE, "North America", date(2023, 4, 18), 55, 0.35, 0.06, 0.0133, 22.0, 22.0, 2.0, 0.45, None, "Cloud workload security platform."),
    CompanySpec("Lumen Learning Systems", 2, SOFTWARE, "Western Europe", date(2023, 9, 12), 40, 0.28, 0.10, 0.01, 19.0, 19.0, 2.5, 0.50, None, "Corporate learning platform."),
    CompanySpec("Marlow Home Services", 2, "Consumer", "North America", date(2024, 1, 23), 90, 0.112, 0.14, 0.0033, 12.5, 12.5, 3.0, 0.6, None, "Residential HVAC and plumbing services."),
    CompanySpec("Northstar Diagnostics", 2, "Healthcare", "Nordics", date(2024, 5, 14), 70, 0.126, 0.17, 0.0033, 15.0, 15.0, 3.0, 0.55, None, "Point-of-care diagnostics."),
    CompanySpec("Orchard Data Platforms", 2, SOFTWARE, "UK & Ireland", date(2025, 2, 11), 30, 0.40, 0.05, 0.0133, 25.0, 25.0, 1.5, 0.45, None, "Data observability SaaS."),
    # Pipeline: no investment yet.
    CompanySpec("Pinnacle Veterinary", 2, "Healthcare", "Western Europe", date(2026, 3, 31), 80, 0.084, 0.18, 0.0, 14.0, 13.5, 3.5, 0.6, None, "Companion-animal hospitals (in diligence)."),
    CompanySpec("Quill Legal Tech", 2, SOFTWARE, "North America", date(2026, 6, 30), 25, 0.35, 0.05, 0.0, 20.0, 19.0, 1.0, 0.5, None, "Contract lifecycle software (pipeline)."),
]

PIPELINE = {"Pinnacle Veterinary": "diligence", "Quill Legal Tech": "pipeline"}
WRITTEN_OFF = {"Harbor Consumer Brands"}
LATE_REPORTER = "Ironbridge Facilities"
"""Has not yet sent its Q4 2025 figures: the monitor flags a missing quarter."""
MISSTATED = "Granite Building Products"
"""Its Q4 2025 balance sheet does not balance (a keying error in the source
pack): the monitor flags a failing accounting identity."""

USERS = [
    ("admin@example.com", "Avery Admin", "admin", "demo-admin-password"),
    ("analyst@example.com", "Alex Analyst", "analyst", "demo-analyst-password"),
    ("partner@example.com", "Pat Partner", "partner", "demo-partner-password"),
]
PARTNER_FUNDS = ["Alder Ridge Capital III"]

INDEX_NAME = "Synthetic Global Equity TR"
INDEX_DESCRIPTION = (
    "Synthetic total-return equity index for the demo (geometric Brownian motion, "
    "9% drift, 16% volatility, seeded): not market data."
)
