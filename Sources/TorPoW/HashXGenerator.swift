/// HashX program generation: from a SipHash key, a straight-line program of exactly 512 instructions
/// scheduled on a model of a 3-port superscalar CPU (Ivy Bridge P0/P1/P5), as tevador's HashX
/// specifies. Every choice consumes the random stream in the same order as the reference generator,
/// so the same seed yields the same program; seeds whose program misses the size, multiplication
/// count or latency requirements are rejected (about 1 in 10 000).

/// HashX operations. The raw values match the reference enumeration, whose order matters: the
/// generator compares groups, and "is a multiplication" is `rawValue <= mul`.
enum HashXOp: UInt8, Sendable {
    case umulh = 0, smulh, mul, sub, xor, addShifted, rotateRight, addConst, xorConst, target, branch
}

/// One generated instruction, in the form the interpreter runs: `imm` is already widened (sign
/// extension for the constants, the shift for add-shifted, the rotation, or the branch mask).
struct HashXInstruction: Sendable, Equatable {
    var op: HashXOp
    var dst: UInt8
    var src: UInt8
    var imm: UInt64
}

private struct Ports: OptionSet {
    let rawValue: UInt8
    static let p0 = Ports(rawValue: 1), p1 = Ports(rawValue: 2), p5 = Ports(rawValue: 4)
    static let none: Ports = [], p01: Ports = [.p0, .p1], p05: Ports = [.p0, .p5], p015: Ports = [.p0, .p1, .p5]
}

private struct Template {
    let op: HashXOp
    let latency: Int
    let uop1: Ports
    let uop2: Ports
    let immediateMask: UInt32
    let group: HashXOp
    let immCanBeZero: Bool
    let distinctDst: Bool
    let opParIsSrc: Bool
    let hasSrc: Bool
    let hasDst: Bool
}

private let branchMaskMarker: UInt32 = 0x8000_0000

private let tUmulh = Template(op: .umulh, latency: 4, uop1: .p1, uop2: .p5, immediateMask: 0, group: .umulh,
                              immCanBeZero: false, distinctDst: false, opParIsSrc: false, hasSrc: true, hasDst: true)
private let tSmulh = Template(op: .smulh, latency: 4, uop1: .p1, uop2: .p5, immediateMask: 0, group: .smulh,
                              immCanBeZero: false, distinctDst: false, opParIsSrc: false, hasSrc: true, hasDst: true)
private let tMul = Template(op: .mul, latency: 3, uop1: .p1, uop2: .none, immediateMask: 0, group: .mul,
                            immCanBeZero: false, distinctDst: true, opParIsSrc: true, hasSrc: true, hasDst: true)
private let tSub = Template(op: .sub, latency: 1, uop1: .p015, uop2: .none, immediateMask: 0, group: .addShifted,
                            immCanBeZero: false, distinctDst: true, opParIsSrc: true, hasSrc: true, hasDst: true)
private let tXor = Template(op: .xor, latency: 1, uop1: .p015, uop2: .none, immediateMask: 0, group: .xor,
                            immCanBeZero: false, distinctDst: true, opParIsSrc: true, hasSrc: true, hasDst: true)
private let tAddShifted = Template(op: .addShifted, latency: 1, uop1: .p01, uop2: .none, immediateMask: 3,
                                   group: .addShifted, immCanBeZero: true, distinctDst: true, opParIsSrc: true,
                                   hasSrc: true, hasDst: true)
private let tRotate = Template(op: .rotateRight, latency: 1, uop1: .p05, uop2: .none, immediateMask: 63,
                               group: .rotateRight, immCanBeZero: false, distinctDst: true, opParIsSrc: false,
                               hasSrc: false, hasDst: true)
private let tAddConst = Template(op: .addConst, latency: 1, uop1: .p015, uop2: .none, immediateMask: .max,
                                 group: .addConst, immCanBeZero: false, distinctDst: true, opParIsSrc: false,
                                 hasSrc: false, hasDst: true)
private let tXorConst = Template(op: .xorConst, latency: 1, uop1: .p015, uop2: .none, immediateMask: .max,
                                 group: .xorConst, immCanBeZero: false, distinctDst: true, opParIsSrc: false,
                                 hasSrc: false, hasDst: true)
private let tTarget = Template(op: .target, latency: 1, uop1: .p015, uop2: .p015, immediateMask: 0, group: .target,
                               immCanBeZero: false, distinctDst: true, opParIsSrc: false, hasSrc: false, hasDst: false)
private let tBranch = Template(op: .branch, latency: 1, uop1: .p015, uop2: .p015, immediateMask: branchMaskMarker,
                               group: .branch, immCanBeZero: false, distinctDst: true, opParIsSrc: false,
                               hasSrc: false, hasDst: false)

/// One slot of the 36-sub-cycle program layout: which templates may go there.
private struct LayoutItem {
    let templates: [Template]
    let mask0: UInt8
    let mask1: UInt8
    let duplicates: Bool
}

private let itemMul = LayoutItem(templates: [tMul], mask0: 0, mask1: 0, duplicates: true)
private let itemTarget = LayoutItem(templates: [tTarget], mask0: 0, mask1: 0, duplicates: true)
private let itemBranch = LayoutItem(templates: [tBranch], mask0: 0, mask1: 0, duplicates: true)
private let itemWideMul = LayoutItem(templates: [tSmulh, tUmulh], mask0: 1, mask1: 1, duplicates: true)
private let itemAny = LayoutItem(templates: [tRotate, tXorConst, tAddConst, tAddConst, tSub, tXor, tXorConst, tAddShifted],
                                 mask0: 7, mask1: 3, duplicates: false)

private let layout: [LayoutItem] = [
    itemMul, itemTarget, itemAny, itemMul, itemAny, itemAny, itemMul, itemAny, itemAny,
    itemMul, itemAny, itemAny, itemWideMul, itemAny, itemAny, itemMul, itemAny, itemAny,
    itemMul, itemBranch, itemAny, itemMul, itemAny, itemAny, itemWideMul, itemAny, itemAny,
    itemMul, itemAny, itemAny, itemMul, itemAny, itemAny, itemMul, itemAny, itemAny,
]

private let targetCycle = 192
private let requiredSize = 512
private let requiredMulCount = 192
private let requiredLatency = 195
private let registerNeedsDisplacement = 5
private let portMapSize = targetCycle + 4
private let maxRetries = 1

/// Generates the program for `key`, or nil when the seed's program misses HashX's requirements.
func generateHashXProgram(key: SipHashKey) -> [HashXInstruction]? {
    var gen = Generator(rng: SipHashRNG(key: key))
    return gen.run()
}

private struct Generator {
    var rng: SipHashRNG
    var cycle = 0
    var subCycle = 0
    var mulCount = 0
    var chainMul = false
    var latency = 0
    var regLatency = [Int](repeating: 0, count: 8)
    var regLastOp = [Int](repeating: -1, count: 8)
    var regLastOpPar = [UInt32](repeating: .max, count: 8)
    /// ports[cycle * 3 + k]: P0, P1, P5 occupancy.
    var ports = [Bool](repeating: false, count: portMapSize * 3)

    // The instruction being built (fields persist across a retry, as in the reference).
    var opcode: HashXOp = .mul
    var src = -1
    var dst = -1
    var imm32: UInt32 = 0
    var opPar: UInt32 = 0

    init(rng: SipHashRNG) { self.rng = rng }

    mutating func selectTemplate(lastGroup: Int, attempt: Int) -> Template {
        let item = layout[subCycle % 36]
        while true {
            var index = 0
            if item.mask0 != 0 {
                index = Int(rng.nextU8() & (attempt > 0 ? item.mask1 : item.mask0))
            }
            let tpl = item.templates[index]
            if item.duplicates || Int(tpl.group.rawValue) != lastGroup { return tpl }
        }
    }

    mutating func branchMask() -> UInt32 {
        var mask: UInt32 = 0
        var popcount = 0
        while popcount < 4 {
            let bit = UInt32(rng.nextU8() % 32)
            let bitmask: UInt32 = 1 << bit
            if mask & bitmask == 0 {
                mask |= bitmask
                popcount += 1
            }
        }
        return mask
    }

    mutating func fromTemplate(_ tpl: Template) {
        opcode = tpl.op
        if tpl.immediateMask != 0 {
            if tpl.immediateMask == branchMaskMarker {
                imm32 = branchMask()
            } else {
                repeat {
                    imm32 = rng.nextU32() & tpl.immediateMask
                } while imm32 == 0 && !tpl.immCanBeZero
            }
        }
        if !tpl.opParIsSrc {
            opPar = tpl.distinctDst ? .max : rng.nextU32()
        }
        if !tpl.hasSrc { src = -1 }
        if !tpl.hasDst { dst = -1 }
    }

    mutating func selectRegister(_ available: [Int]) -> Int? {
        if available.isEmpty { return nil }
        let index = available.count > 1 ? Int(rng.nextU32() % UInt32(available.count)) : 0
        return available[index]
    }

    mutating func selectDestination(_ tpl: Template, cycle: Int) -> Bool {
        var available: [Int] = []
        for i in 0..<8 {
            var ok = regLatency[i] <= cycle
            ok = ok && (!tpl.distinctDst || i != src)
            ok = ok && (chainMul || tpl.group != .mul || regLastOp[i] != Int(HashXOp.mul.rawValue))
            ok = ok && (regLastOp[i] != Int(tpl.group.rawValue) || regLastOpPar[i] != opPar)
            ok = ok && (opcode != .addShifted || i != registerNeedsDisplacement)
            if ok { available.append(i) }
        }
        guard let r = selectRegister(available) else { return false }
        dst = r
        return true
    }

    mutating func selectSource(_ tpl: Template, cycle: Int) -> Bool {
        var available: [Int] = []
        for i in 0..<8 where regLatency[i] <= cycle { available.append(i) }
        if available.count == 2 && opcode == .addShifted
            && (available[0] == registerNeedsDisplacement || available[1] == registerNeedsDisplacement) {
            src = registerNeedsDisplacement
            opPar = UInt32(registerNeedsDisplacement)
            return true
        }
        guard let r = selectRegister(available) else { return false }
        src = r
        if tpl.opParIsSrc { opPar = UInt32(r) }
        return true
    }

    /// Earliest cycle from `start` with a free port for `uop`, trying P5, then P0, then P1.
    mutating func scheduleUop(_ uop: Ports, from start: Int, commit: Bool) -> Int {
        var c = start
        while c < portMapSize {
            if uop.contains(.p5) && !ports[c * 3 + 2] {
                if commit { ports[c * 3 + 2] = true }
                return c
            }
            if uop.contains(.p0) && !ports[c * 3 + 0] {
                if commit { ports[c * 3 + 0] = true }
                return c
            }
            if uop.contains(.p1) && !ports[c * 3 + 1] {
                if commit { ports[c * 3 + 1] = true }
                return c
            }
            c += 1
        }
        return -1
    }

    mutating func scheduleInstruction(_ tpl: Template, commit: Bool) -> Int {
        if tpl.uop2 == .none {
            return scheduleUop(tpl.uop1, from: cycle, commit: commit)
        }
        var c = cycle
        while c < portMapSize {
            let c1 = scheduleUop(tpl.uop1, from: c, commit: false)
            let c2 = scheduleUop(tpl.uop2, from: c, commit: false)
            if c1 >= 0 && c1 == c2 {
                if commit {
                    _ = scheduleUop(tpl.uop1, from: c, commit: true)
                    _ = scheduleUop(tpl.uop2, from: c, commit: true)
                }
                return c1
            }
            c += 1
        }
        return -1
    }

    mutating func run() -> [HashXInstruction]? {
        var program: [HashXInstruction] = []
        program.reserveCapacity(requiredSize)
        var attempt = 0
        var lastGroup = -1
        // Bounded: every pass either appends an instruction, or advances subCycle (at most
        // targetCycle * 3 sub-cycles), or retries once (maxRetries) before advancing.
        while program.count < requiredSize {
            let tpl = selectTemplate(lastGroup: lastGroup, attempt: attempt)
            lastGroup = Int(tpl.group.rawValue)
            fromTemplate(tpl)
            var scheduleCycle = scheduleInstruction(tpl, commit: false)
            if scheduleCycle < 0 { break }
            chainMul = attempt > 0
            if tpl.hasSrc && !selectSource(tpl, cycle: scheduleCycle) {
                if attempt < maxRetries { attempt += 1; continue }
                subCycle += 3; cycle = subCycle / 3; attempt = 0
                continue
            }
            if tpl.hasDst && !selectDestination(tpl, cycle: scheduleCycle) {
                if attempt < maxRetries { attempt += 1; continue }
                subCycle += 3; cycle = subCycle / 3; attempt = 0
                continue
            }
            attempt = 0
            scheduleCycle = scheduleInstruction(tpl, commit: true)
            if scheduleCycle < 0 || scheduleCycle >= targetCycle { break }
            if tpl.hasDst {
                let retire = scheduleCycle + tpl.latency
                regLatency[dst] = retire
                regLastOp[dst] = Int(tpl.group.rawValue)
                regLastOpPar[dst] = opPar
                latency = max(latency, retire)
            }
            program.append(instruction())
            if opcode.rawValue <= HashXOp.mul.rawValue { mulCount += 1 }
            subCycle += 1
            if tpl.uop2 != .none { subCycle += 1 }
            cycle = subCycle / 3
        }
        guard program.count == requiredSize, mulCount == requiredMulCount, latency == requiredLatency - 1 else {
            return nil
        }
        return program
    }

    /// The instruction as the interpreter wants it.
    func instruction() -> HashXInstruction {
        let imm: UInt64
        switch opcode {
        case .addConst, .xorConst: imm = UInt64(bitPattern: Int64(Int32(bitPattern: imm32)))
        case .addShifted, .rotateRight, .branch: imm = UInt64(imm32)
        default: imm = 0
        }
        return HashXInstruction(op: opcode, dst: UInt8(truncatingIfNeeded: max(dst, 0)),
                                src: UInt8(truncatingIfNeeded: max(src, 0)), imm: imm)
    }
}
