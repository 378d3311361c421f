import XCTest
@testable import OnionService

final class KeysAndRingTests: XCTestCase {
    // C tor src/test/test_hs_common.c `test_blinding_basics` (period 1234, length 1440); same
    // values in arti crates/tor-hscrypto/src/pk.rs `key_blinding_testvec`.
    func testBlindingBasics() throws {
        let address = try OnionAddress(publicKey: hex("833990B085C1A688C1D4C8B1F6B56AFAF5A2ECA674449E1D704F83765CCB7BC6"))
        let keys = try BlindedKeys(address: address, period: TimePeriod(number: 1234, lengthMinutes: 1440))
        XCTAssertBytes(keys.blindedPublicKey, hex("3A50BF210E8F9EE955AE0014F7A6917FB65EBF098A86305ABB508D1A7291B6D5"))
        XCTAssertBytes(keys.subcredential, hex("635D55907816E8D76398A675A50B1C2F3E36B42A5CA77BA3A0441285161AE07D"))
    }

    // arti crates/tor-netdoc/src/doc/hsdesc.rs tests `get_test2_encrypted` and `mod test_data`:
    // TEST_HSID_2 in period 19397 (2023-02-09T12:00Z).
    func testHsdesc2Keys() throws {
        let address = try OnionAddress("paozpdhgz2okvc6kgbxvh2bnfsmt4xergrtcl4obkhopyvwxkpjzvoad.onion")
        XCTAssertBytes(address.publicKey, hex("781D978CE6CE9CAA8BCA306F53E82D2C993E5C91346625F1C151DCFC56D753D3"))
        let period = try TimePeriod(validAfter: utc("2023-02-09T12:00:00Z"))
        XCTAssertEqual(period.number, 19397)
        let keys = try BlindedKeys(address: address, period: period)
        XCTAssertBytes(keys.blindedPublicKey, hex("706628758208395D461AA0F460A5E76E7B828C66B5E794768592B451302E961D"))
        XCTAssertBytes(keys.subcredential, hex("24A133E905102BDA9A6AFE57F901366A1B8281865A91F1FE0853E4B50CC8B070"))
    }

    // C tor src/test/test_hs_common.c `test_hs_indexes` (key 0x42 × 32, SRV 0x43 × 32, period 42).
    func testIndexes() {
        let period = TimePeriod(number: 42, lengthMinutes: 1440)
        let key = [UInt8](repeating: 0x42, count: 32)
        XCTAssertBytes(HSDirRing.hsIndex(blindedPublicKey: key, replica: 1, period: period),
                       hex("37e5cbbd56a22823714f18f1623ece5983a0d64c78495a8cfab854245e5f9a8a"))
        XCTAssertBytes(HSDirRing.hsdirIndex(identity: key, sharedRandomValue: [UInt8](repeating: 0x43, count: 32), period: period),
                       hex("db475361014a09965e7e5e4d4a25b8f8d4b8f16cb1d8a7e95eed50249cc1a2d5"))
    }

    // C tor src/test/test_hs_common.c `test_disaster_srv` (period 1, length 1440).
    func testDisasterSRV() {
        XCTAssertBytes(HSDirRing.disasterSharedRandomValue(period: TimePeriod(number: 1, lengthMinutes: 1440)),
                       hex("F8A4948707653837FA44ABB5BBC75A12F6F101E7F8FAF699B9715F4965D3507D"))
    }

    /// The SRV used for fetching: previous between the start of the SR run (00:00) and the
    /// next period start (12:00), current afterwards; disaster SRV when missing.
    func testSharedRandomChoice() throws {
        let current = [UInt8](repeating: 0xCC, count: 32)
        let previous = [UInt8](repeating: 0x99, count: 32)
        func pick(_ time: String, current: [UInt8]? = current, previous: [UInt8]? = previous) throws -> [UInt8] {
            let validAfter = utc(time)
            let period = try TimePeriod(validAfter: validAfter)
            return HSDirRing.sharedRandomValueForFetching(validAfter: validAfter, votingInterval: 3600,
                                                          current: current, previous: previous, period: period)
        }
        XCTAssertEqual(try pick("2016-04-13T00:00:00Z"), previous)
        XCTAssertEqual(try pick("2016-04-13T11:00:00Z"), previous)
        XCTAssertEqual(try pick("2016-04-13T12:00:00Z"), current)
        XCTAssertEqual(try pick("2016-04-13T23:00:00Z"), current)
        let period = try TimePeriod(validAfter: utc("2016-04-13T13:00:00Z"))
        XCTAssertEqual(try pick("2016-04-13T13:00:00Z", current: nil), HSDirRing.disasterSharedRandomValue(period: period))
        // Testing network, 10 s voting interval: the run is 240 s, periods start 120 s in.
        let validAfter = utc("2016-04-13T00:01:00Z")
        let testPeriod = try TimePeriod(validAfter: validAfter, votingInterval: 10, testingNetwork: true)
        XCTAssertEqual(HSDirRing.sharedRandomValueForFetching(validAfter: validAfter, votingInterval: 10, current: current,
                                                              previous: previous, period: testPeriod), previous)
        let later = utc("2016-04-13T00:03:00Z")
        XCTAssertEqual(HSDirRing.sharedRandomValueForFetching(validAfter: later, votingInterval: 10, current: current,
                                                              previous: previous, period: testPeriod), current)
    }

    /// The previous period is offered only from a period's start until the next SRV (12:00–00:00
    /// UTC live), with the consensus's previous SRV (the one that period was fetched under).
    func testPreviousPeriodForFetching() throws {
        let current = [UInt8](repeating: 0xCC, count: 32)
        let previous = [UInt8](repeating: 0x99, count: 32)
        func fallback(_ time: String, previous: [UInt8]? = previous) throws -> (period: TimePeriod, sharedRandomValue: [UInt8])? {
            let validAfter = utc(time)
            return HSDirRing.previousPeriodForFetching(validAfter: validAfter, votingInterval: 3600, previous: previous,
                                                       period: try TimePeriod(validAfter: validAfter))
        }
        let atStart = try XCTUnwrap(try fallback("2016-04-13T12:00:00Z"))
        let periodAtStart = try TimePeriod(validAfter: utc("2016-04-13T12:00:00Z"))
        XCTAssertEqual(atStart.period, periodAtStart.previous)
        XCTAssertEqual(atStart.sharedRandomValue, previous)
        XCTAssertNotEqual(atStart.sharedRandomValue, current)
        XCTAssertEqual(try fallback("2016-04-13T23:00:00Z")?.period, periodAtStart.previous)
        // From the new SRV (00:00) on, a spec service has dropped the previous period's descriptor.
        XCTAssertNil(try fallback("2016-04-14T00:00:00Z"))
        XCTAssertNil(try fallback("2016-04-14T11:00:00Z"))
        // No previous SRV in the consensus: the previous period's disaster SRV, as its clients used.
        XCTAssertEqual(try fallback("2016-04-13T13:00:00Z", previous: nil)?.sharedRandomValue,
                       HSDirRing.disasterSharedRandomValue(period: periodAtStart.previous))
        // Testing network, 10 s votes: periods start 120 s into each 240-s run.
        let early = utc("2016-04-13T00:02:10Z"), late = utc("2016-04-13T00:04:10Z")
        let testPeriod = try TimePeriod(validAfter: early, votingInterval: 10, testingNetwork: true)
        XCTAssertEqual(HSDirRing.previousPeriodForFetching(validAfter: early, votingInterval: 10, previous: previous,
                                                           period: testPeriod)?.period, testPeriod.previous)
        XCTAssertNil(HSDirRing.previousPeriodForFetching(
            validAfter: late, votingInterval: 10, previous: previous,
            period: try TimePeriod(validAfter: late, votingInterval: 10, testingNetwork: true)))
    }

    /// The ring walk against a direct reading of rend-spec-v3 §2.2.3 on a small random ring.
    func testResponsibleHSDirs() {
        let period = TimePeriod(number: 19397)
        let srv = [UInt8](repeating: 0x43, count: 32)
        let blinded = hex("706628758208395D461AA0F460A5E76E7B828C66B5E794768592B451302E961D")
        var generator = SystemRandomNumberGenerator()
        for size in [1, 2, 5, 6, 7, 40] {
            let candidates = (0..<size).map { i in
                HSDirCandidate(ed25519Identity: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }, index: i)
            }
            let ring = HSDirRing(candidates: candidates, sharedRandomValue: srv, period: period)
            let chosen = ring.responsibleHSDirs(blindedPublicKey: blinded, replicas: 2, spread: 3)
            // Reference: sort by index; for each replica walk from the first index >= hs_index.
            let sorted = candidates.sorted {
                HSDirRing.hsdirIndex(identity: $0.ed25519Identity, sharedRandomValue: srv, period: period)
                    .lexicographicallyPrecedes(HSDirRing.hsdirIndex(identity: $1.ed25519Identity, sharedRandomValue: srv, period: period))
            }
            var expected: [HSDirCandidate] = []
            for replica in 1...2 {
                let target = HSDirRing.hsIndex(blindedPublicKey: blinded, replica: UInt64(replica), period: period)
                let start = sorted.firstIndex {
                    !HSDirRing.hsdirIndex(identity: $0.ed25519Identity, sharedRandomValue: srv, period: period)
                        .lexicographicallyPrecedes(target)
                } ?? 0
                var added = 0
                for step in 0..<sorted.count where added < 3 {
                    let node = sorted[(start + step) % sorted.count]
                    if !expected.contains(node) { expected.append(node); added += 1 }
                }
            }
            XCTAssertEqual(chosen, expected, "ring of \(size)")
            XCTAssertEqual(chosen.count, min(size, 6))
            XCTAssertEqual(Set(chosen.map(\.index)).count, chosen.count)
        }
        XCTAssertEqual(HSDirRing(candidates: [], sharedRandomValue: srv, period: period)
                        .responsibleHSDirs(blindedPublicKey: blinded), [])
    }
}
