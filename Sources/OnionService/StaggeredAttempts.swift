import FoundationEssentials

/// Tries candidates (HSDirs) in order with a bounded number of attempts at once: the next one
/// starts as soon as one fails, or when the newest has gone `stagger` without an answer; the
/// first answer `isFinal` accepts ends the race and cancels the attempts still running (their
/// cleanup, e.g. destroying a circuit, is theirs to do on cancellation).
enum StaggeredAttempts {
    private enum Event<Answer: Sendable>: Sendable {
        case answered(Answer)
        case staggerElapsed(launch: Int)
    }

    /// Every answer received, in the order they came (the accepted one last, if any).
    /// - Parameters:
    ///   - maxInFlight: the most attempts running at once (at least 1).
    ///   - isFinal: called on the caller's context for each answer; true stops the race.
    static func run<Candidate: Sendable, Answer: Sendable>(
        _ candidates: [Candidate], stagger: Duration, maxInFlight: Int,
        attempt: @escaping @Sendable (Candidate) async -> Answer,
        isFinal: (Answer) -> Bool
    ) async -> [Answer] {
        guard !candidates.isEmpty else { return [] }
        let (events, continuation) = AsyncStream<Event<Answer>>.makeStream()
        var tasks: [Task<Void, Never>] = []
        var launched = 0
        var running = 0
        var answers: [Answer] = []
        func launch() {
            let candidate = candidates[launched]
            launched += 1
            running += 1
            tasks.append(Task { continuation.yield(.answered(await attempt(candidate))) })
            if launched < candidates.count && running < maxInFlight {
                let launch = launched
                tasks.append(Task {
                    guard (try? await Task.sleep(for: stagger)) != nil else { return }
                    continuation.yield(.staggerElapsed(launch: launch))
                })
            }
        }
        launch()
        await withTaskCancellationHandler {
            for await event in events {
                switch event {
                case let .answered(answer):
                    running -= 1
                    answers.append(answer)
                    if isFinal(answer) { return }
                    if launched < candidates.count { launch() } else if running == 0 { return }
                case let .staggerElapsed(launch: at):
                    // Only if nothing was launched since this timer was set.
                    if at == launched && launched < candidates.count && running < maxInFlight { launch() }
                }
            }
        } onCancel: {
            continuation.finish()
        }
        for task in tasks { task.cancel() }
        continuation.finish()
        return answers
    }
}
