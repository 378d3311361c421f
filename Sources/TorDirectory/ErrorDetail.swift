import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A short human-readable reason for a file-system error, such as "No such file or directory".
///
/// FoundationEssentials has no `localizedDescription`; the client's modules use only it (full
/// Foundation would triple their resident code pages), so file errors are described from the
/// POSIX error underneath them.
public func errorDetail(_ error: any Error) -> String {
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    if let cocoa = error as? CocoaError {
        if let underlying = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
            return String(cString: strerror(underlying.code.rawValue))
        }
        switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return String(cString: strerror(ENOENT))
        case .fileReadNoPermission, .fileWriteNoPermission: return String(cString: strerror(EACCES))
        case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
        case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
        case .fileReadCorruptFile: return "the file is not valid text"
        case .fileReadInapplicableStringEncoding: return "the file is not valid UTF-8"
        case .fileWriteFileExists: return String(cString: strerror(EEXIST))
        default: return "file error \(cocoa.code.rawValue)"
        }
    }
    return String(describing: error)
}
