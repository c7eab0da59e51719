"""The second table of the throughput scripts (cnn, vit, lm): LottaLoRA's figure with its JIT warm-up included
(first epoch or whole run), medians per thread count, and its best against PyTorch's steady-state best."""
import statistics


def print_warmup_table(rows, best, key, what, digits):
    """rows: the jsonl records; best: {(mode, peer): best median}; key: the warm-up figure's field; what: its name."""
    ours = [r for r in rows if r["peer"] == "lottalora" and key in r]
    if not ours:
        return
    print(f"\nLottaLoRA's {what} (JIT warm-up included), medians, and its ratio to PyTorch's steady state:\n")
    print("| mode | 1 thread | 2 threads | best / PyTorch's best |")
    print("|---|---|---|---|")
    for mode in ("8", "full"):
        med = {t: statistics.median(r[key] for r in ours if r["mode"] == mode and r["threads"] == t) for t in (1, 2)}
        print(f"| {'rank 8' if mode == '8' else 'full'} | {med[1]:,.{digits}f} | {med[2]:,.{digits}f} | "
              f"{max(med.values()) / best[(mode, 'pytorch')]:.2f} |")
