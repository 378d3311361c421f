import XCTest
@testable import DeviceSimulator

final class PinsTests: XCTestCase {
    private func post(_ device: PinsDevice, _ body: String) -> HTTPResponse {
        device.handle(HTTPRequest(method: "POST", target: "/links",
                                  headers: ["Content-Length": "\(body.utf8.count)"], body: Array(body.utf8)))
    }

    func testDefaultLinksAndCJSONOutput() {
        let device = PinsDevice(model: PinsModel(name: "p"), store: nil)
        let response = device.handle(HTTPRequest(method: "GET", target: "/links"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["Content-Type"], "text/html")
        XCTAssertEqual(response.headers["Access-Control-Allow-Origin"], "*")
        let text = String(decoding: response.body, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("[{\n\t\t\"name\":\t\"led\",\n\t\t\"index\":\t0,\n\t\t\"type\":\t0,\n\t\t\"pin\":\t{\n\t\t\t\"num\":\t2,\n\t\t\t\"state\":\t0\n\t\t}\n\t}, {"), text)
    }

    func testUpsertByIndexAndStateQuirk() throws {
        var model = PinsModel(name: "p")
        try model.upsert(try JSONParser.parse(#"{"name":"fan","index":2,"type":0,"pin":{"num":5,"state":true}}"#))
        XCTAssertEqual(model.links.count, 3)
        XCTAssertEqual(model.links[2].pin, SimplePin(num: 5, state: true))
        // A numeric 1 is not cJSON_True: the device switches the pin off.
        try model.upsert(try JSONParser.parse(#"{"name":"fan","index":2,"type":0,"pin":{"num":5,"state":1}}"#))
        XCTAssertEqual(model.links.count, 3)
        XCTAssertEqual(model.links[2].pin?.state, false)
        XCTAssertEqual(model.linksJSON, JSONValue.array(model.links.map { link in
            .object([JSONMember("name", .string(link.name)), JSONMember("index", .number(Double(link.index))),
                     JSONMember("type", .number(0)),
                     JSONMember("pin", .object([JSONMember("num", .number(Double(link.pin!.num))),
                                                JSONMember("state", .number(link.pin!.state ? 1 : 0))]))])
        }))
    }

    func testInterruptLinksListOnlyNameIndexType() throws {
        var model = PinsModel(name: "p")
        try model.upsert(try JSONParser.parse(
            #"{"name":"button","index":0,"type":2,"interruptPin":{"num":15,"msDelay":50,"responseType":0,"pin":{"num":2,"state":false}}}"#))
        XCTAssertEqual(model.links[0].interruptPin?.num, 15)
        XCTAssertEqual(model.linksJSON, .array([
            .object([JSONMember("name", .string("button")), JSONMember("index", .number(0)), JSONMember("type", .number(2))]),
            model.linksJSON.arrayElement(1),
        ]))
    }

    func testInvalidPostsAnswer500AndChangeNothing() {
        let device = PinsDevice(model: PinsModel(name: "p"), store: nil)
        let before = device.current
        let bodies = [
            #"{"name":"x","index":3,"type":0,"pin":{"num":1,"state":true}}"#,   // index beyond count
            #"{"name":"x","index":-1,"type":0,"pin":{"num":1,"state":true}}"#,
            #"{"index":2,"type":0,"pin":{"num":1,"state":true}}"#,               // no name
            #"{"name":"x","index":2,"pin":{"num":1,"state":true}}"#,             // no type
            #"{"name":"x","index":2,"type":0,"pin":{"num":1}}"#,                 // no state
            #"{"name":"x","index":2,"type":0}"#,                                 // no pin
            #"{"name":"0123456789012345678901234","index":2,"type":0,"pin":{"num":1,"state":true}}"#,
            #"{"name":"x","index":2,"type":0,"pin":{"num":40,"state":true}}"#,
            "not json", "[]",
        ]
        for body in bodies {
            let response = post(device, body)
            XCTAssertEqual(response.status, 500, body)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "Failed to post control value")
            XCTAssertNotNil(response.headers["X-Simulator-Reason"])
            XCTAssertTrue(response.failsConnection)
        }
        let noLength = device.handle(HTTPRequest(method: "POST", target: "/links"))
        XCTAssertEqual(noLength.status, 500)
        let big = post(device, String(repeating: " ", count: 8192))
        XCTAssertEqual(String(decoding: big.body, as: UTF8.self), "content too long")
        XCTAssertEqual(device.current, before)
    }

    func testMaximumOfTwentyLinks() throws {
        let device = PinsDevice(model: PinsModel(name: "p"), store: nil)
        for index in 2..<20 {
            let response = post(device, "{\"name\":\"l\(index)\",\"index\":\(index),\"type\":0,\"pin\":{\"num\":1,\"state\":false}}")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "Link created successfully")
        }
        XCTAssertEqual(device.current.links.count, 20)
        XCTAssertEqual(post(device, #"{"name":"x","index":20,"type":0,"pin":{"num":1,"state":true}}"#).status, 500)
        XCTAssertEqual(post(device, #"{"name":"y","index":19,"type":1}"#).status, 200)
    }

    func testOptionsAndRouting() {
        let device = PinsDevice(model: PinsModel(name: "p"), store: nil)
        let options = device.handle(HTTPRequest(method: "OPTIONS", target: "/links"))
        XCTAssertEqual(String(decoding: options.body, as: UTF8.self), "Fine option")
        XCTAssertEqual(options.headers["Access-Control-Allow-Methods"], "OPTIONS, GET, HEAD, POST")
        XCTAssertEqual(options.headers["Access-Control-Allow-Headers"], "*")
        XCTAssertEqual(device.handle(HTTPRequest(method: "PUT", target: "/links")).status, 405)
        XCTAssertEqual(device.handle(HTTPRequest(method: "GET", target: "/index.html")).status, 404)
        XCTAssertEqual(device.handle(HTTPRequest(method: "GET", target: "/links?x")).status, 200)
    }
}

extension JSONValue {
    fileprivate func arrayElement(_ index: Int) -> JSONValue {
        guard case .array(let elements) = self else { return .null }
        return elements[index]
    }
}
