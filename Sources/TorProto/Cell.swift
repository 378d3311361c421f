/// One channel cell: a circuit ID, a command and its payload.
///
/// Fixed-length cells carry exactly ``Cell/payloadLength`` bytes of payload (shorter payloads are
/// zero-padded when encoded); variable-length cells carry a 2-byte length.
public struct Cell: Equatable, Sendable {
    /// Payload bytes of a fixed-length cell.
    public static let payloadLength = 509

    public var circuitID: UInt32
    public var command: ChannelCommand
    public var payload: [UInt8]

    public init(circuitID: UInt32, command: ChannelCommand, payload: [UInt8]) {
        self.circuitID = circuitID
        self.command = command
        self.payload = payload
    }

    /// Encodes the cell with the given circuit-ID width (2 bytes before link protocol 4, else 4).
    public func encoded(circuitIDWidth: Int = 4) -> [UInt8] {
        var out = [UInt8]()
        if command.isVariableLength {
            out.reserveCapacity(circuitIDWidth + 3 + payload.count)
        } else {
            out.reserveCapacity(circuitIDWidth + 1 + Cell.payloadLength)
        }
        if circuitIDWidth == 2 { out.appendU16(UInt16(truncatingIfNeeded: circuitID)) } else { out.appendU32(circuitID) }
        out.append(command.rawValue)
        if command.isVariableLength {
            out.appendU16(UInt16(payload.count))
            out.append(contentsOf: payload)
        } else {
            precondition(payload.count <= Cell.payloadLength, "fixed cell payload over 509 bytes")
            out.append(contentsOf: payload)
            out.append(contentsOf: repeatElement(0, count: Cell.payloadLength - payload.count))
        }
        return out
    }
}

/// Splits a byte stream from a channel into cells, however the bytes arrive.
///
/// Feed it whatever TLS delivered; ask for cells until it returns `nil`. A variable-length
/// cell longer than `maxVariableLength` is refused rather than buffered.
public struct CellFramer: Sendable {
    public var circuitIDWidth: Int
    public let maxVariableLength: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(circuitIDWidth: Int = 2, maxVariableLength: Int = 65_535) {
        self.circuitIDWidth = circuitIDWidth
        self.maxVariableLength = maxVariableLength
    }

    /// Bytes received but not yet part of a whole cell.
    public var bufferedCount: Int { buffer.count - start }

    /// Removes and returns every byte not yet taken as a cell (whole cells and a partial one), so
    /// another framer can go on from exactly here.
    public mutating func takeBufferedBytes() -> [UInt8] {
        defer { buffer.removeAll(); start = 0 }
        return Array(buffer[start...])
    }

    public mutating func append(_ bytes: [UInt8]) {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete cell, or `nil` if more bytes are needed.
    public mutating func nextCell() throws -> Cell? {
        let available = buffer.count - start
        let headerLength = circuitIDWidth + 1
        guard available >= headerLength else { return nil }
        var circuitID: UInt32 = 0
        for index in start..<(start + circuitIDWidth) { circuitID = circuitID << 8 | UInt32(buffer[index]) }
        let command = ChannelCommand(rawValue: buffer[start + circuitIDWidth])
        let payloadStart: Int
        let payloadLength: Int
        if command.isVariableLength {
            guard available >= headerLength + 2 else { return nil }
            payloadLength = Int(buffer[start + headerLength]) << 8 | Int(buffer[start + headerLength + 1])
            if payloadLength > maxVariableLength {
                throw ProtoError.lengthOutOfRange(what: "\(command) cell", length: payloadLength, limit: maxVariableLength)
            }
            payloadStart = start + headerLength + 2
        } else {
            payloadLength = Cell.payloadLength
            payloadStart = start + headerLength
        }
        guard buffer.count - payloadStart >= payloadLength else { return nil }
        let payload = Array(buffer[payloadStart..<(payloadStart + payloadLength)])
        start = payloadStart + payloadLength
        if start > 65_536 { buffer.removeFirst(start); start = 0 }
        return Cell(circuitID: circuitID, command: command, payload: payload)
    }
}
