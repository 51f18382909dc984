#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Phase timings on stderr when `BUILDX_LINT_TRACE` is set (for `scripts/bench.py` and profiling).
public enum Trace {
    /// Whether tracing is on (read once).
    public static let enabled = getenv("BUILDX_LINT_TRACE") != nil
    nonisolated(unsafe) static var last = now()

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Prints the time since the previous mark, labelled `phase`. Call from one thread only.
    public static func mark(_ phase: @autoclosure () -> String) {
        guard enabled else { return }
        let t = now()
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = usage.ru_maxrss / 1024  // KiB on Linux
        #else
        getrusage(RUSAGE_SELF, &usage)
        let peakMB = usage.ru_maxrss / (1024 * 1024)  // bytes on Darwin
        #endif
        let line = Array("trace: \(phase()) \(Int((t - last) * 1000)) ms, peak \(peakMB) MB\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        last = t
    }
}
