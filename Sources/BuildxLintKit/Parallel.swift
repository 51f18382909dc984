import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of cores online (at least 1).
let processorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// `transform` applied to every element on all cores, results in order. One element runs on the calling
/// thread (phase 2 walks each workflow alone: no dispatch for that).
func parallelMap<T: Sendable, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
    if items.count <= 1 { return items.map(transform) }
    var out = [R?](repeating: nil, count: items.count)
    out.withUnsafeMutableBufferPointer { buffer in
        let o = UnsafeMutableSendableBuffer(buffer)
        withoutActuallyEscaping(transform) { t in
            let box = UncheckedSendable(t)
            DispatchQueue.concurrentPerform(iterations: items.count) { i in o[i] = box.value(items[i]) }
        }
    }
    return out.map { $0! }
}

/// A value handed to concurrentPerform's iterations (closures that only read shared state).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A buffer that concurrentPerform's iterations write to at distinct indices.
struct UnsafeMutableSendableBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<T>
    init(_ base: UnsafeMutableBufferPointer<T>) { self.base = base }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
