import Devices
import Foundation
import XCTest

final class ModelTests: XCTestCase {
    let reading = ThermostatReading(name: "t", temperature: 20, setpoint: 21, mode: .heat, state: "idle", min: 5, max: 30, step: 0.5)

    func testSetpointIsValidatedAgainstTheDevicesOwnLimits() {
        XCTAssertNoThrow(try reading.validateSetpoint(22.5))
        XCTAssertNoThrow(try reading.validateSetpoint(5))
        XCTAssertNoThrow(try reading.validateSetpoint(30))
        for bad in [4.5, 30.5, 21.25, .nan, .infinity] {
            XCTAssertThrowsError(try reading.validateSetpoint(bad), "\(bad)") { error in
                guard case .invalidValue = error as? DeviceError else { return XCTFail("\(error)") }
            }
        }
        var coarse = reading
        coarse.min = 10; coarse.max = 20; coarse.step = 2
        XCTAssertNoThrow(try coarse.validateSetpoint(14))
        XCTAssertThrowsError(try coarse.validateSetpoint(15))
        XCTAssertThrowsError(try coarse.validateSetpoint(22))
    }

    func testThermostatChangeBodyAndConfirmation() {
        let change = ThermostatChange(setpoint: 22.5, mode: .auto)
        XCTAssertEqual(String(decoding: change.encoded(), as: UTF8.self), "{\"setpoint\":22.5,\"mode\":\"auto\"}")
        XCTAssertEqual(String(decoding: ThermostatChange(setpoint: 21).encoded(), as: UTF8.self), "{\"setpoint\":21}")
        var answer = reading
        XCTAssertFalse(change.isApplied(in: answer))
        answer.setpoint = 22.5; answer.mode = .auto
        XCTAssertTrue(change.isApplied(in: answer))
    }

    func testThermostatReadingDecodesTheDocumentedAnswer() throws {
        let json = #"{"name":"Thermostat","temperature":20.4,"setpoint":21,"mode":"heat","humidity":45.2,"state":"heating","units":"C","min":5,"max":30,"step":0.5,"updated":"2024-01-01T12:00:00Z"}"#
        let decoded = try JSONDecoder().decode(ThermostatReading.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.setpoint, 21)
        XCTAssertEqual(decoded.mode, .heat)
        XCTAssertThrowsError(try JSONDecoder().decode(ThermostatReading.self, from: Data(json.replacingOccurrences(of: "\"heat\"", with: "\"warm\"").utf8)))
    }

    func testLinksParseNumericStateAsCJSONPrintsIt() throws {
        let body = "[{\n\t\t\"name\":\t\"led\",\n\t\t\"index\":\t0,\n\t\t\"type\":\t0,\n\t\t\"pin\":\t{\n\t\t\t\"num\":\t2,\n\t\t\t\"state\":\t1\n\t\t}\n\t}, {\n\t\t\"name\":\t\"sched\",\n\t\t\"index\":\t1,\n\t\t\"type\":\t1\n\t}]"
        let links = try PinLink.parseList(Array(body.utf8))
        XCTAssertEqual(links.count, 2)
        XCTAssertEqual(links[0].pin, PinLink.Pin(num: 2, on: true))
        XCTAssertNil(links[1].pin)
        XCTAssertEqual(links[1].typeName, "scheduled")
    }

    func testUpsertSendsABooleanStateAndEveryKey() {
        let upsert = PinLinkUpsert(name: "fan \"x\"", index: 2, pin: .init(num: 5, on: true))
        XCTAssertEqual(String(decoding: upsert.encoded(), as: UTF8.self),
                       #"{"name":"fan \"x\"","index":2,"type":0,"pin":{"num":5,"state":true}}"#)
        let off = PinLinkUpsert(name: "led", index: 0, pin: .init(num: 2, on: false))
        XCTAssertTrue(String(decoding: off.encoded(), as: UTF8.self).contains("\"state\":false"))
    }

    func testUpsertValidationMatchesTheDevicesLimits() {
        func invalid(_ upsert: PinLinkUpsert, count: Int = 2, existing: Int? = nil, _ line: UInt = #line) {
            XCTAssertThrowsError(try upsert.validate(currentCount: count, existingPin: existing), line: line)
        }
        let ok = PinLinkUpsert(name: String(repeating: "n", count: 24), index: 2, pin: .init(num: 5, on: true))
        XCTAssertNoThrow(try ok.validate(currentCount: 2))
        invalid(PinLinkUpsert(name: String(repeating: "n", count: 25), index: 0, pin: .init(num: 5, on: true)))
        invalid(PinLinkUpsert(name: "ééééééééééééé", index: 0, pin: .init(num: 5, on: true)))  // 26 bytes
        invalid(PinLinkUpsert(name: "", index: 0, pin: .init(num: 5, on: true)))
        invalid(PinLinkUpsert(name: "a", index: -1, pin: .init(num: 5, on: true)))
        invalid(PinLinkUpsert(name: "a", index: 3, pin: .init(num: 5, on: true)))  // gap: count is 2
        invalid(PinLinkUpsert(name: "a", index: 20, pin: .init(num: 5, on: true)), count: 20)
        XCTAssertNoThrow(try PinLinkUpsert(name: "a", index: 19, pin: .init(num: 5, on: true)).validate(currentCount: 19))
        invalid(PinLinkUpsert(name: "a", index: 0, pin: nil))
        invalid(PinLinkUpsert(name: "a", index: 0, pin: .init(num: 31, on: true)))
        invalid(PinLinkUpsert(name: "a", index: 0, pin: .init(num: 7, on: true)))  // SPI flash
        invalid(PinLinkUpsert(name: "a", index: 0, type: 2, pin: nil))
        invalid(PinLinkUpsert(name: "a", index: 0, type: 5, pin: nil))
        XCTAssertNoThrow(try PinLinkUpsert(name: "a", index: 0, type: 1, pin: nil).validate(currentCount: 2))
        // A GPIO the device already uses for this link is kept.
        XCTAssertNoThrow(try PinLinkUpsert(name: "a", index: 0, pin: .init(num: 33, on: true)).validate(currentCount: 2, existingPin: 33))
    }

    func testSerialQueueNeverRunsTwoOperationsAtOnce() async throws {
        let queue = SerialQueue()
        let counter = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await queue.run {
                        await counter.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await counter.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        let maximum = await counter.maximum
        let total = await counter.total
        XCTAssertEqual(maximum, 1)
        XCTAssertEqual(total, 20)
    }
}

actor Counter {
    var current = 0, maximum = 0, total = 0
    func enter() { current += 1; total += 1; maximum = max(maximum, current) }
    func leave() { current -= 1 }
}
