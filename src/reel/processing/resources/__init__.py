"""Resources (brief §3.4): finding what recordings load, capturing it safely, replaying from the copies."""
