"""Every write: `actuals` (figures and locked years), `plans` (loading plan files),
`runs` (attainment recomputes), `imports` (a spreadsheet of figures)."""
