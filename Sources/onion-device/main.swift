// onion-device: a simulated IoT device (thermostat or code-me-not pins) over HTTP/1.1 on
// loopback. See docs/device-api.md.
import DeviceSimulator
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("onion-device: \(message)\n".utf8))
    exit(code)
}

let options: DeviceOptions
do {
    options = try DeviceOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch .helpRequested {
    print(DeviceOptions.usage)
    exit(0)
} catch {
    fail("\(error)\n\n\(DeviceOptions.usage)", code: 2)
}

signal(SIGPIPE, SIG_IGN)

let host: DeviceHost
do {
    host = try DeviceHost(options: options)
} catch {
    fail("\(error)", code: 1)
}

let port: UInt16
do {
    port = try host.start()
} catch {
    fail("\(error)", code: 1)
}

var bound = options.listen
bound.port = port
FileHandle.standardOutput.write(Data("listening on \(bound)\n".utf8))

// SIGTERM / SIGINT: save the state and exit 0.
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let signalQueue = DispatchQueue(label: "onion-device signals")
let sources = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
    let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
    source.setEventHandler {
        do {
            try host.stop()
        } catch {
            fail("\(error)", code: 1)
        }
        exit(0)
    }
    source.resume()
    return source
}
withExtendedLifetime(sources) {
    dispatchMain()
}
