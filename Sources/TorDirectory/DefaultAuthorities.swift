import TorProto

// Generated from C tor `src/app/config/auth_dirs.inc` (github:syphyr/tor, branch main,
// commit 817b7105f2a0ac6d70f0005889aecf7f4d6536ea, 2025-12-16). Extracted by onionctl.
// Re-extract when tor updates its authority list.

/// The public Tor network's directory authorities (the 9 v3 authorities;
/// the bridge authority Serge is left out: a client never needs it).
public enum DefaultAuthorities {
    public static let all: [DirAuthority] = [
        DirAuthority(nickname: "moria1", address: "128.31.0.39", dirPort: 9231, orPort: 9201,
                     fingerprint: bytesFromHexOrDie("1A25C6358DB91342AA51720A5038B72742732498"), v3Identity: bytesFromHexOrDie("F533C81CEF0BC0267857C99B2F471ADF249FA232"),
                     ipv6: nil, isBridge: false),
        DirAuthority(nickname: "tor26", address: "217.196.147.77", dirPort: 80, orPort: 443,
                     fingerprint: bytesFromHexOrDie("FAA4BCA4A6AC0FB4CA2F8AD5A11D9E122BA894F6"), v3Identity: bytesFromHexOrDie("2F3DF9CA0E5D36F2685A2DA67184EB8DCB8CBA8C"),
                     ipv6: IPv6Endpoint(address: "2a02:16a8:662:2203::1", port: 443), isBridge: false),
        DirAuthority(nickname: "dizum", address: "45.66.35.11", dirPort: 80, orPort: 443,
                     fingerprint: bytesFromHexOrDie("7EA6EAD6FD83083C538F44038BBFA077587DD755"), v3Identity: bytesFromHexOrDie("E8A9C45EDE6D711294FADF8E7951F4DE6CA56B58"),
                     ipv6: nil, isBridge: false),
        DirAuthority(nickname: "gabelmoo", address: "131.188.40.189", dirPort: 80, orPort: 443,
                     fingerprint: bytesFromHexOrDie("F2044413DAC2E02E3D6BCF4735A19BCA1DE97281"), v3Identity: bytesFromHexOrDie("ED03BB616EB2F60BEC80151114BB25CEF515B226"),
                     ipv6: IPv6Endpoint(address: "2001:638:a000:4140::ffff:189", port: 443), isBridge: false),
        DirAuthority(nickname: "dannenberg", address: "193.23.244.244", dirPort: 80, orPort: 443,
                     fingerprint: bytesFromHexOrDie("7BE683E65D48141321C5ED92F075C55364AC7123"), v3Identity: bytesFromHexOrDie("0232AF901C31A04EE9848595AF9BB7620D4C5B2E"),
                     ipv6: IPv6Endpoint(address: "2001:678:558:1000::244", port: 443), isBridge: false),
        DirAuthority(nickname: "maatuska", address: "171.25.193.9", dirPort: 443, orPort: 80,
                     fingerprint: bytesFromHexOrDie("BD6A829255CB08E66FBE7D3748363586E46B3810"), v3Identity: bytesFromHexOrDie("49015F787433103580E3B66A1707A00E60F2D15B"),
                     ipv6: IPv6Endpoint(address: "2001:67c:289c::9", port: 80), isBridge: false),
        DirAuthority(nickname: "longclaw", address: "199.58.81.140", dirPort: 80, orPort: 443,
                     fingerprint: bytesFromHexOrDie("74A910646BCEEFBCD2E874FC1DC997430F968145"), v3Identity: bytesFromHexOrDie("23D15D965BC35114467363C165C4F724B64B4F66"),
                     ipv6: nil, isBridge: false),
        DirAuthority(nickname: "bastet", address: "204.13.164.118", dirPort: 80, orPort: 443,
                     fingerprint: bytesFromHexOrDie("24E2F139121D4394C54B5BCC368B3B411857C413"), v3Identity: bytesFromHexOrDie("27102BC123E7AF1D4741AE047E160C91ADC76B21"),
                     ipv6: IPv6Endpoint(address: "2620:13:4000:6000::1000:118", port: 443), isBridge: false),
        DirAuthority(nickname: "faravahar", address: "216.218.219.41", dirPort: 80, orPort: 443,
                     fingerprint: bytesFromHexOrDie("E3E42D35F801C9D5AB23584E0025D56FE2B33396"), v3Identity: bytesFromHexOrDie("70849B868D606BAECFB6128C5E3D782029AA394F"),
                     ipv6: nil, isBridge: false),
    ]
}

/// Decodes a hex literal from the tables in this module (always valid; checked by tests).
func bytesFromHexOrDie(_ hex: String) -> [UInt8] {
    guard let bytes = bytesFromHex(hex) else { preconditionFailure("bad built-in hex literal \(hex)") }
    return bytes
}
