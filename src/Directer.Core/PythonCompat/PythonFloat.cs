using System.Globalization;
using System.Text;

namespace Directer.Core.PythonCompat;

/// <summary>Python's floats as text: <c>repr(float)</c> (the shortest round-tripping digits, fixed notation for decimal
/// exponents from -4 to 16, always with a fractional part, scientific notation (<c>1e+21</c>, <c>1.5e-05</c>) otherwise)
/// and <c>float(text)</c>.</summary>
internal static class PythonFloat
{
    /// <summary>Formats a double the way Python's <c>repr</c> (and so <c>json.dumps</c>) does.</summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // .NET's "R" gives the shortest round-tripping digits, in its own layout: re-lay them out Python's way.
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r[0] == '-';
        if (negative)
        {
            r = r[1..];
        }

        int exponent = 0;
        int e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        int dot = r.IndexOf('.');
        string integerPart = dot >= 0 ? r[..dot] : r;
        string fraction = dot >= 0 ? r[(dot + 1)..] : string.Empty;
        string digits = integerPart + fraction;

        // value = 0.digits × 10^decimalPoint
        int decimalPoint = integerPart.Length + exponent;
        int leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..];
        decimalPoint -= leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var text = new StringBuilder();
        if (negative)
        {
            text.Append('-');
        }

        if (decimalPoint <= -4 || decimalPoint > 16)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            int shown = decimalPoint - 1;
            text.Append('e').Append(shown < 0 ? '-' : '+').Append(Math.Abs(shown).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalPoint <= 0)
        {
            text.Append("0.").Append('0', -decimalPoint).Append(digits);
        }
        else if (decimalPoint >= digits.Length)
        {
            text.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
        }
        else
        {
            text.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
        }

        return text.ToString();
    }

    /// <summary>Python's <c>float(text)</c> (text already stripped): .NET's parser but for Python's spellings of
    /// the non-finite values, 'inf', 'infinity' and 'nan' in any case and with a sign; null when the text is no number.</summary>
    public static double? Parse(string s)
    {
        string unsigned = s.TrimStart('+', '-');
        bool negative = s.StartsWith('-');
        if (unsigned.Length == s.Length - 1 || unsigned.Length == s.Length)
        {
            if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
            {
                return negative ? double.NegativeInfinity : double.PositiveInfinity;
            }

            if (unsigned.Equals("nan", StringComparison.OrdinalIgnoreCase))
            {
                return double.NaN;
            }
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double f) ? f : null;
    }
}
