using System.Globalization;

namespace ArrayLang.Tools.VectorMathSweep;

/// <summary>What a sweep found for one function: the worst ulp error and where, and counts.</summary>
internal sealed class Stats
{
    public long Count;
    public long MaxUlp;
    public double MaxUlpFraction; // |result - exact| / ulp(exact), the exact value being the double reference
    public float WorstX, WorstY, WorstResult, WorstReference;   // where MaxUlpFraction occurs
    public long OverOneUlp, OverTwoUlp;
    public long SpecialMismatches;
    public readonly List<string> SpecialExamples = [];
    public long ScalarMismatches, ScalarChecked;

    public void Add(float x, float y, float result, float reference, double exact, bool specialInput)
    {
        Count++;
        if (Ulp.SpecialMismatch(result, reference, specialInput))
        {
            SpecialMismatches++;
            if (SpecialExamples.Count < 5) SpecialExamples.Add($"({Show(x)}, {Show(y)}) -> {Show(result)}, reference {Show(reference)}");
            return;
        }
        long d = Ulp.Distance(result, reference);
        if (d > 1) OverOneUlp++;
        if (d > 2) OverTwoUlp++;
        MaxUlp = Math.Max(MaxUlp, d);
        if (float.IsFinite(result) && float.IsFinite(reference))
        {
            double fraction = Math.Abs(result - exact) / Ulp.Of(exact);
            if (fraction > MaxUlpFraction)
            {
                MaxUlpFraction = fraction; WorstX = x; WorstY = y; WorstResult = result; WorstReference = reference;
            }
        }
    }

    public void Merge(Stats other)
    {
        lock (this)
        {
            Count += other.Count;
            MaxUlp = Math.Max(MaxUlp, other.MaxUlp);
            if (other.MaxUlpFraction > MaxUlpFraction)
            {
                MaxUlpFraction = other.MaxUlpFraction; WorstX = other.WorstX; WorstY = other.WorstY;
                WorstResult = other.WorstResult; WorstReference = other.WorstReference;
            }
            OverOneUlp += other.OverOneUlp;
            OverTwoUlp += other.OverTwoUlp;
            SpecialMismatches += other.SpecialMismatches;
            foreach (var e in other.SpecialExamples) if (SpecialExamples.Count < 5) SpecialExamples.Add(e);
            ScalarMismatches += other.ScalarMismatches;
            ScalarChecked += other.ScalarChecked;
        }
    }

    public static string Show(float v) =>
        $"{v.ToString("R", CultureInfo.InvariantCulture)} (0x{BitConverter.SingleToUInt32Bits(v):x8})";

    public string Report(string name, bool binary, TimeSpan elapsed)
    {
        var at = binary ? $"({Show(WorstX)}, {Show(WorstY)})" : Show(WorstX);
        var lines = new List<string>
        {
            $"{name}: {Count:N0} inputs, max error {MaxUlp} ulp from the correctly rounded result " +
            $"(at most {MaxUlpFraction.ToString("F3", CultureInfo.InvariantCulture)} ulp from the exact value, at {at}: " +
            $"{Show(WorstResult)}, correctly rounded {Show(WorstReference)})",
            $"  > 1 ulp: {OverOneUlp:N0}; > 2 ulp: {OverTwoUlp:N0}; special mismatches: {SpecialMismatches:N0}; " +
            $"scalar/vector bit mismatches: {ScalarMismatches:N0} of {ScalarChecked:N0} checked; {elapsed.TotalSeconds:F1} s",
        };
        lines.AddRange(SpecialExamples.Select(e => "  special: " + e));
        return string.Join(Environment.NewLine, lines);
    }
}
