import XCTest
@testable import OnionService

final class TimePeriodTests: XCTestCase {
    // rend-spec-v3.txt §2.2.1 [TIME-PERIODS]: 2016-04-13 11:15:01 UTC is in period 16903.
    func testSpecExample() throws {
        let period = try TimePeriod(validAfter: utc("2016-04-13T11:15:01Z"))
        XCTAssertEqual(period.number, 16903)
        XCTAssertEqual(period.lengthMinutes, 1440)
    }

    // arti crates/tor-hscrypto/src/time.rs `check_testvec` (from C tor test_time_period).
    func testArtiVectors() throws {
        let period = try TimePeriod(validAfter: utc("2016-04-13T11:00:00Z"))
        XCTAssertEqual(period.number, 16903)
        XCTAssertTrue(period.contains(utc("2016-04-13T11:00:00Z")))
        let same = try TimePeriod(validAfter: utc("2016-04-13T11:59:59Z"))
        XCTAssertEqual(same, period)
        XCTAssertEqual(period.previous.number, 16902)
        XCTAssertEqual(period.next.number, 16904)
        let period2 = try TimePeriod(validAfter: utc("2016-04-13T12:00:00Z"))
        XCTAssertEqual(period2.number, 16904)
        XCTAssertLessThan(period, period2)
        XCTAssertEqual(period.next, period2)
        XCTAssertEqual(period2.previous, period)
        XCTAssertFalse(period.contains(utc("2016-04-13T12:00:00Z")))
        XCTAssertEqual(period.start, utc("2016-04-12T12:00:00Z"))
        XCTAssertEqual(period.end, utc("2016-04-13T12:00:00Z"))
        XCTAssertEqual(period2.start, utc("2016-04-13T12:00:00Z"))
        XCTAssertEqual(period2.end, utc("2016-04-14T12:00:00Z"))
    }

    // C tor test_hs_common.c `test_blinding_basics`: 1973-05-20 01:50:33 is period 1234.
    func testBlindingBasicsPeriod() throws {
        XCTAssertEqual(try TimePeriod(validAfter: utc("1973-05-20T01:50:33Z")).number, 1234)
    }

    // C tor test_hs_common.c `test_start_time_of_next_time_period`, TestingTorNetwork with a
    // 10-second voting interval: 4-minute periods with a 2-minute offset.
    func testTestingNetworkRule() throws {
        let early = try TimePeriod(validAfter: utc("2016-04-13T00:00:00Z"), votingInterval: 10,
                                   hsdirIntervalMinutes: 1440, testingNetwork: true)
        XCTAssertEqual(early.lengthMinutes, 4)
        XCTAssertEqual(early.rotationOffsetSeconds, 120)
        XCTAssertEqual(early.end, utc("2016-04-13T00:02:00Z"))
        let later = try TimePeriod(validAfter: utc("2016-04-13T00:02:00Z"), votingInterval: 10, testingNetwork: true)
        XCTAssertEqual(later.end, utc("2016-04-13T00:06:00Z"))
        XCTAssertEqual(later, early.next)
        // chutney's default 300 s voting interval gives 120-minute periods.
        XCTAssertEqual(try TimePeriod.lengthMinutes(votingInterval: 300, hsdirIntervalMinutes: nil, testingNetwork: true), 120)
    }

    func testHsdirIntervalParameter() throws {
        XCTAssertEqual(try TimePeriod.lengthMinutes(votingInterval: 3600, hsdirIntervalMinutes: 720, testingNetwork: false), 720)
        XCTAssertEqual(try TimePeriod.lengthMinutes(votingInterval: 3600, hsdirIntervalMinutes: 1, testingNetwork: false), 5)
        XCTAssertEqual(try TimePeriod.lengthMinutes(votingInterval: 3600, hsdirIntervalMinutes: 99999, testingNetwork: false), 14400)
        XCTAssertThrows(TimePeriodError.invalidVotingInterval(0)) { try TimePeriod(validAfter: Date(), votingInterval: 0) }
    }
}
