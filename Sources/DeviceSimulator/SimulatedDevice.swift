/// A device the simulator can serve over HTTP.
public protocol SimulatedDevice: AnyObject, Sendable {
    /// Answers one request (called concurrently from connection threads).
    func handle(_ request: HTTPRequest) -> HTTPResponse
    /// Runs the simulation up to the clock's current time.
    func tick()
    /// Writes the state file now, if the device has one.
    func persist() throws
    /// The state as it would be persisted.
    var snapshot: DeviceStateFile { get }
}
