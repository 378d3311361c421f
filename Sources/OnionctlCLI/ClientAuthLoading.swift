import Foundation
import OnionService
import TorCrypto

/// Loads client-authorization keys from a tor `.auth_private` file or a ClientOnionAuthDir.
enum ClientAuthLoading {
    static func load(_ path: String) throws -> [OnionAddress: X25519PrivateKey] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError.usage("no such key file or folder: \(path)")
        }
        if isDirectory.boolValue {
            let directory = try ClientAuthDirectory(directory: URL(fileURLWithPath: path))
            for problem in directory.problems {
                FileHandle.standardError.write(Data("onionctl: warning: \(problem.file): \(problem.error)\n".utf8))
            }
            return directory.keys.mapValues(\.privateKey)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let keys = try ClientAuthDirectory.parseFile(text)
        return Dictionary(keys.map { ($0.address, $0.privateKey) }, uniquingKeysWith: { a, _ in a })
    }
}
