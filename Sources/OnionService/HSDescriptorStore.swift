import FoundationEssentials
import TorCircuits

/// Onion-service descriptors kept on disk between runs, so that a new process reaches a device it
/// reached before without asking the HSDirs again (issue 15, warm start). C tor keeps them in
/// memory only; onionctl's address book already names the services on disk, so the descriptors
/// beside it reveal nothing more.
///
/// One file per service holds the descriptor as an HSDir served it (still signed, its inner layers
/// still encrypted), the time period it is for and when it stops being usable (its lifetime and
/// expiry, whichever is first). Nothing read back is trusted: the connector verifies the signature
/// chain against the period's blinded key and decrypts it again exactly as for a fetched one. A
/// file that fails any check, or is for another period, or has expired, is removed.
public struct HSDescriptorStore: Sendable {
    /// The folder holding one `<onion>.json` per service.
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// What one file holds.
    struct Entry: Codable, Equatable {
        static let currentFormat = 1
        var format: Int
        var onion: String
        /// The time period the descriptor is for (its number and length in minutes).
        var period: UInt64
        var periodMinutes: UInt64
        var revision: UInt64
        var expires: Date
        /// The descriptor text as the HSDir served it.
        var descriptor: String
    }

    /// The stored descriptor of `address` for `period`, if there is a usable one: its text and
    /// when it stops being usable. A file for another period, expired or unreadable is removed.
    func load(_ address: OnionAddress, period: TimePeriod, now: Date) -> (text: [UInt8], expires: Date)? {
        let url = file(for: address)
        guard let data = try? Data(contentsOf: url) else { return nil }
        guard let entry = try? Self.decoder.decode(Entry.self, from: data), entry.format == Entry.currentFormat,
              entry.onion == address.description else {
            remove(address)
            return nil
        }
        guard entry.period == period.number, entry.periodMinutes == period.lengthMinutes, entry.expires > now else {
            remove(address)
            return nil
        }
        return (Array(entry.descriptor.utf8), entry.expires)
    }

    /// Keeps `text` (a descriptor that verified and decrypted) as `address`'s descriptor for `period`.
    /// A failure to write only costs the next process a fetch, so it is not an error for the caller.
    @discardableResult
    func save(_ text: [UInt8], for address: OnionAddress, period: TimePeriod, revision: UInt64, expires: Date) -> Bool {
        guard let string = String(validating: text, as: UTF8.self) else { return false }
        let entry = Entry(format: Entry.currentFormat, onion: address.description, period: period.number,
                          periodMinutes: period.lengthMinutes, revision: revision, expires: expires, descriptor: string)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try AtomicFile.write(try Self.encoder.encode(entry), to: file(for: address))
            return true
        } catch {
            return false
        }
    }

    /// Removes every kept file that is no longer usable for any request: expired, damaged, or named
    /// for another service (a device removed from the address book is never asked for again, so its
    /// file would otherwise stay), and writes left unfinished over an hour ago. Returns how many.
    @discardableResult
    public func removeStale(now: Date) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") && name.contains(".json.tmp-") {
            // A write that never finished (the process died between writing and renaming).
            let url = directory.appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
            if let modified, now.timeIntervalSince(modified) > 3600,
               (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
        }
        // Read, then removed: another process may have written a fresh file in between, which then
        // costs the next request one fetch, nothing more.
        for name in names where name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            let entry = (try? Data(contentsOf: url)).flatMap { try? Self.decoder.decode(Entry.self, from: $0) }
            if let entry, entry.format == Entry.currentFormat, "\(entry.onion).json" == name, entry.expires > now {
                continue
            }
            if (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
        }
        return removed
    }

    /// Forgets `address`'s stored descriptor (its introduction points failed, or its key changed).
    func remove(_ address: OnionAddress) {
        try? FileManager.default.removeItem(at: file(for: address))
    }

    func file(for address: OnionAddress) -> URL {
        directory.appendingPathComponent("\(address.description).json")
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }
}
