using System.Globalization;
using System.Text;

namespace Directer.Core.Templates.Jinja;

/// <summary>Python's <c>datetime.strftime</c> for the directives chat templates use (<c>%d %b %Y</c> and friends),
/// in the C locale.</summary>
internal static class PythonStrftime
{
    /// <summary>Formats a time.</summary>
    public static string Format(DateTime time, string format)
    {
        var text = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                text.Append(format[i]);
                continue;
            }

            char d = format[++i];
            var c = CultureInfo.InvariantCulture;
            text.Append(d switch
            {
                'd' => time.ToString("dd", c),
                'm' => time.ToString("MM", c),
                'Y' => time.ToString("yyyy", c),
                'y' => time.ToString("yy", c),
                'b' => time.ToString("MMM", c),
                'B' => time.ToString("MMMM", c),
                'a' => time.ToString("ddd", c),
                'A' => time.ToString("dddd", c),
                'H' => time.ToString("HH", c),
                'I' => time.ToString("hh", c),
                'M' => time.ToString("mm", c),
                'S' => time.ToString("ss", c),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'j' => time.DayOfYear.ToString("000", c),
                'e' => time.Day.ToString(c).PadLeft(2),
                '%' => "%",
                _ => "%" + d,
            });
        }

        return text.ToString();
    }
}
