namespace Directer.Training.Training;

/// <summary>Linear warm-up to the peak, then cosine decay to <c>minRatio</c> × peak at the last step.</summary>
internal sealed record LearningRateSchedule(double Peak, long WarmupSteps, long TotalSteps, double MinRatio = 0.1)
{
    public double At(long step)
    {
        if (step < WarmupSteps)
        {
            return Peak * (step + 1) / WarmupSteps;
        }

        double progress = TotalSteps <= WarmupSteps ? 1.0 : Math.Min(1.0, (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
        double cosine = 0.5 * (1.0 + Math.Cos(Math.PI * progress));
        return Peak * (MinRatio + ((1.0 - MinRatio) * cosine));
    }
}
