"""E-ARK CSIP 2.0.4 information packages (SIP, AIP, DIP) of Circular 05/2025/TT-BNV."""
