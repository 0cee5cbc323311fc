import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
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

function trendText(trend: Trend, unit: string, betterWhenLower = false): string {
  if (trend.per_week === null || trend.per_week === undefined) return "Not enough answers for a trend yet.";
  const change = trend.per_week;
  const better = betterWhenLower ? change < 0 : change > 0;
  if (Math.abs(change) < 0.05) return "Steady.";
  return `${change > 0 ? "+" : ""}${change.toFixed(1)} ${unit} a week (${better ? "improving" : "getting worse"}).`;
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
            <Line type="monotone" dataKey="overall" name="Overall" stroke={COLORS[0]} strokeWidth={3} dot />
          </LineChart>
        </ResponsiveContainer>
        <DataTable
          caption="Overall score per day"
          columns={["Day", "Average overall", "Answers"]}
          rows={perDay.map((d) => [d.day, d.overall, d.answers])}
        />
      </figure>

      <figure className="card chart" aria-labelledby="skills-caption">
        <figcaption id="skills-caption">
          <h2>Skills</h2>
        </figcaption>
        <ResponsiveContainer width="100%" height={300}>
          <LineChart data={skillRows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d9dbe8" />
            <XAxis dataKey="at" />
            <YAxis domain={[0, 100]} />
            <Tooltip />
            <Legend />
            {progress.skills.map((s, i) => (
              <Line
                key={s.name}
                type="monotone"
                dataKey={s.name}
                name={titleCase(s.name)}
                stroke={COLORS[i % COLORS.length]}
                connectNulls
                dot={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
        <ul className="trend-list">
          {progress.skills.map((s) => (
            <li key={s.name}>
              <strong>{titleCase(s.name)}</strong>: latest {Math.round(s.latest ?? 0)} · {trendText(s, "points")}
            </li>
          ))}
        </ul>
      </figure>

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
          <Line type="monotone" dataKey="value" name={unit} stroke={color} strokeWidth={2} />
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
