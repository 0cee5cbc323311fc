import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceArea,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { type Analytics, api, unwrap } from "../../api/client";
import { ErrorMessage, Loading } from "../../components/Status";
import { formatDay, formatMoment, titleCase } from "../../lib/format";
import { useTitle } from "../../lib/useTitle";

type Trend = Analytics["Trend"];

const COLORS = ["#3b3bb3", "#0f7b6c", "#b4561b", "#8a2d8a", "#1f6fb2", "#6b6b00", "#a3243b"];
const RANGES = [30, 90, 365];

/** What the trend says, and when there is none yet, what one needs (the line is drawn either way). */
function trendText(trend: Trend, unit: string, betterWhenLower = false): string {
  if (trend.per_week === null || trend.per_week === undefined) {
    const n = trend.points.length;
    if (n < 3) return `A trend needs three answers on at least two days: ${n} so far.`;
    return "A trend needs answers on at least two different days: all of these are from one day.";
  }
  const change = trend.per_week;
  const better = betterWhenLower ? change < 0 : change > 0;
  if (Math.abs(change) < 0.05) return "Steady.";
  return `${change > 0 ? "+" : ""}${change.toFixed(1)} ${unit} a week (${better ? "improving" : "getting worse"}).`;
}

/** The person's usual range of a measure: their mean ± one standard deviation (from three values on). */
function usualRange(values: number[]): [number, number] | null {
  if (values.length < 3) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return [Math.max(0, mean - sd), Math.min(100, mean + sd)];
}

/** Scores over time, per skill, and delivery trends, drawn; each chart also has its numbers for screen readers. */
export function ProgressPage() {
  useTitle("Progress");
  const [days, setDays] = useState(90);
  const [progress, setProgress] = useState<Analytics["Progress"]>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    unwrap(api.GET("/api/analytics/progress", { params: { query: { days } } }))
      .then(setProgress)
      .catch(setError);
  }, [days]);

  if (error) return <ErrorMessage error={error} />;
  if (!progress) return <Loading />;

  const header = (
    <div className="title-row">
      <h1 id="progress-heading">Your progress</h1>
      <label className="inline">
        Period{" "}
        <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {RANGES.map((d) => (
            <option key={d} value={d}>
              last {d} days
            </option>
          ))}
        </select>
      </label>
    </div>
  );
  if (progress.answers === 0) {
    return (
      <section className="stack" aria-labelledby="progress-heading">
        {header}
        <p className="card">
          No feedback in this period yet. <Link to="/practice">Practise a question</Link> and your scores appear here.
        </p>
      </section>
    );
  }

  // One point per answer (a day's average hides the practice within it); the per-day averages are in the table.
  const overall = progress.overall.points.map((p) => ({ at: formatMoment(p.at), overall: Math.round(p.value) }));
  const perDay = progress.days.map((d) => ({ day: formatDay(d.day), overall: Math.round(d.overall), answers: d.answers }));
  const skillRows = mergeTrends(progress.skills);
  return (
    <section className="stack" aria-labelledby="progress-heading">
      {header}
      <dl className="figures big">
        <div>
          <dt>Answers</dt>
          <dd>{progress.answers}</dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd>{progress.sessions}</dd>
        </div>
        <div>
          <dt>Latest overall</dt>
          <dd>{progress.overall.latest !== null ? Math.round(progress.overall.latest ?? 0) : "–"}</dd>
        </div>
        <div>
          <dt>Average pace</dt>
          <dd>{progress.pace_wpm.average ? `${Math.round(progress.pace_wpm.average)} wpm` : "–"}</dd>
        </div>
      </dl>

      <figure className="card chart" aria-labelledby="overall-caption">
        <figcaption id="overall-caption">
          <h2>Overall score</h2>
          <p className="muted small">{trendText(progress.overall, "points")}</p>
        </figcaption>
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={overall} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d9dbe8" />
            <XAxis dataKey="at" />
            <YAxis domain={[0, 100]} />
            <Tooltip />
            <Line type="linear" dataKey="overall" name="Overall" stroke={COLORS[0]} strokeWidth={3} dot isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
        <DataTable
          caption="Overall score per day"
          columns={["Day", "Average overall", "Answers"]}
          rows={perDay.map((d) => [d.day, d.overall, d.answers])}
        />
      </figure>

      <section className="card chart" aria-labelledby="skills-caption">
        <h2 id="skills-caption">Skills</h2>
        <p className="muted small">
          One chart per skill on the same 0–100 scale; the shaded band is your usual range (your average ± one
          standard deviation, from three answers on).
          {progress.overall.per_week === null || progress.overall.per_week === undefined
            ? ` ${trendText(progress.overall, "points")}`
            : ""}
        </p>
        <div className="small-multiples">
          {progress.skills.map((s) => (
            <SkillChart key={s.name} trend={s} />
          ))}
        </div>
        <DataTable
          caption="Skill scores per answer"
          columns={["Answer", ...progress.skills.map((s) => titleCase(s.name))]}
          rows={skillRows.map((row) => [row.at, ...progress.skills.map((s) => row[s.name] ?? "–")])}
        />
      </section>

      <div className="grid-2">
        <TrendChart title="Pace (words per minute)" trend={progress.pace_wpm} unit="wpm" color={COLORS[1]} />
        <TrendChart
          title="Fillers per minute"
          trend={progress.fillers_per_minute}
          unit="fillers/min"
          color={COLORS[2]}
          betterWhenLower
        />
      </div>
    </section>
  );
}

function mergeTrends(trends: Trend[]): Record<string, string | number>[] {
  const rows = new Map<string, Record<string, string | number>>();
  for (const trend of trends) {
    for (const point of trend.points) {
      const key = formatMoment(point.at);
      const row = rows.get(key) ?? { at: key };
      row[trend.name] = Math.round(point.value);
      rows.set(key, row);
    }
  }
  return [...rows.values()];
}

/** One skill, small: its answers as points joined by straight lines, on the shared 0–100 scale. */
function SkillChart({ trend }: { trend: Trend }) {
  const data = trend.points.map((p) => ({ at: formatMoment(p.at), value: Math.round(p.value) }));
  const band = usualRange(trend.points.map((p) => p.value));
  const title = titleCase(trend.name);
  return (
    <figure className="skill-chart" aria-label={`${title}: latest ${Math.round(trend.latest ?? 0)}`}>
      <figcaption>
        <h3>{title}</h3>
        <p className="muted small">
          Latest {Math.round(trend.latest ?? 0)}
          {/* What a trend needs is said once, above the charts; each chart says its own trend once it has one. */}
          {trend.per_week !== null && trend.per_week !== undefined ? ` · ${trendText(trend, "points")}` : ""}
        </p>
      </figcaption>
      <ResponsiveContainer width="100%" height={120}>
        <LineChart data={data} margin={{ top: 6, right: 8, bottom: 0, left: -24 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d9dbe8" vertical={false} />
          {band ? <ReferenceArea y1={band[0]} y2={band[1]} fill={COLORS[0]} fillOpacity={0.1} stroke="none" /> : null}
          <XAxis dataKey="at" hide />
          <YAxis domain={[0, 100]} ticks={[0, 50, 100]} />
          <Tooltip />
          <Line type="linear" dataKey="value" name={title} stroke={COLORS[0]} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

function TrendChart({
  title,
  trend,
  unit,
  color,
  betterWhenLower = false,
}: {
  title: string;
  trend: Trend;
  unit: string;
  color: string;
  betterWhenLower?: boolean;
}) {
  const data = trend.points.map((p) => ({ at: formatMoment(p.at), value: Math.round(p.value * 10) / 10 }));
  if (data.length === 0) {
    return (
      <figure className="card chart">
        <figcaption>
          <h2>{title}</h2>
        </figcaption>
        <p className="muted">Measured on recorded answers: record one to see it here.</p>
      </figure>
    );
  }
  return (
    <figure className="card chart">
      <figcaption>
        <h2>{title}</h2>
        <p className="muted small">{trendText(trend, unit, betterWhenLower)}</p>
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#d9dbe8" />
          <XAxis dataKey="at" />
          <YAxis />
          <Tooltip />
          <Line type="linear" dataKey="value" name={unit} stroke={color} strokeWidth={2} dot isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <DataTable caption={title} columns={["Answer", unit]} rows={data.map((d) => [d.at, d.value])} />
    </figure>
  );
}

function DataTable({ caption, columns, rows }: { caption: string; columns: string[]; rows: (string | number)[][] }) {
  return (
    <details className="data-table">
      <summary>Show the numbers</summary>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) => (
                <td key={j}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
