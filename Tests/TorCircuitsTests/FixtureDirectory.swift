import Foundation
import TorCircuits
import TorDirectory

/// The recorded private-network directory as a ``NetDirectory``.
func fixtureDirectory(testing: Bool = true) throws -> NetDirectory {
    func load(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrapURL(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return Array(try Data(contentsOf: url))
    }
    let consensus = try Consensus(try load("testnet-consensus"))
    let micro = try Microdescriptor.parseAll(try load("testnet-microdescs"), wanted: nil).byDigest
    return NetDirectory(consensus: consensus, microdescriptors: micro, isTestingNetwork: testing)
}

struct MissingFixture: Error {}

func XCTUnwrapURL(_ url: URL?) throws -> URL {
    guard let url else { throw MissingFixture() }
    return url
}
