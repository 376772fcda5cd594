"""Pure decision layer: analysis results + settings -> Plan (style.md rule 7). No I/O, no reapy."""
