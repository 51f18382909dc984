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

/// `count` results made by `workers` concurrent workers, worker `w` computing indices w, w + workers, … in
/// turn (for work whose workers need state of their own, such as a libgit2 handle each): `setUp` runs once per
/// worker, `make` once per index with that worker's state, `tearDown` once per worker at the end.
func stridedMap<State, R>(
    count: Int, workers: Int, setUp: (Int) -> State, make: (inout State, Int) -> R, tearDown: (State) -> Void = { _ in }
) -> [R] {
    var out = [R?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { buffer in
        let o = UnsafeMutableSendableBuffer(buffer)
        withoutActuallyEscaping(setUp) { setUp in
            withoutActuallyEscaping(make) { make in
                withoutActuallyEscaping(tearDown) { tearDown in
                    let box = UncheckedSendable((setUp, make, tearDown))
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        var state = box.value.0(w)
                        for i in stride(from: w, to: count, by: workers) { o[i] = box.value.1(&state, i) }
                        box.value.2(state)
                    }
                }
            }
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
