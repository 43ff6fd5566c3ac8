"""What other systems already know: SNMP, ONVIF events, device discovery (not built yet)."""
