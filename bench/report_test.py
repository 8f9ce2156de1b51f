#!/usr/bin/env python3
"""Tests of bench/report.py (run: python3 bench/report_test.py; bench.sh runs them first)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def result(case, tool, metric, value, unit="s", kind="time", scenario="mesh"):
    return {"scenario": scenario, "case": case, "tool": tool, "metric": metric, "value": value, "unit": unit, "kind": kind}


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def results_dir(self, name, scenarios, machine="date: 2026-11-21T09:00:00Z\ncommit: abc1234\n"):
        d = os.path.join(self.tmp.name, name)
        os.makedirs(d)
        with open(os.path.join(d, "results.json"), "w", encoding="utf-8") as f:
            json.dump(scenarios, f)
        with open(os.path.join(d, "machine.txt"), "w", encoding="utf-8") as f:
            f.write(machine)
        return d

    def test_ratio_is_tabby_over_peer_for_costs_and_peer_over_tabby_for_rates(self):
        self.assertAlmostEqual(report.ratio(2.0, 4.0, "time"), 0.5)
        self.assertAlmostEqual(report.ratio(300, 100, "memory"), 3.0)
        self.assertAlmostEqual(report.ratio(200, 100, "rate"), 0.5)  # Tabby twice the rate: better, below 1
        self.assertIsNone(report.ratio(1.0, 0.0, "cpu"))

    def test_medians_per_tool_and_one_row_per_peer(self):
        d = self.results_dir("run", [{"scenario": "mesh", "exit": 0, "smoke": False, "results": [
            result("50 speakers", "tabby", "converged", 10), result("50 speakers", "bird", "converged", 2),
            result("50 speakers", "tabby", "converged", 30), result("50 speakers", "bird", "converged", 4),
            result("50 speakers", "tabby", "converged", 20), result("50 speakers", "frr", "converged", 40),
        ]}])
        out = report.render([d])
        self.assertIn("| mesh | 50 speakers | converged (s) | 20.0 (n=3) | bird | 3.00 (n=2) | **6.67** | full, 2026-11-21T09:00, abc1234 |", out)
        self.assertIn("| mesh | 50 speakers | converged (s) | 20.0 (n=3) | frr | 40.0 (n=1) | **0.50** |", out)

    def test_scenarios_without_a_peer_and_failures_are_named(self):
        d = self.results_dir("run", [
            {"scenario": "codec", "exit": 0, "results": [result("x", "tabby", "decode", 35, "ns", "time", "codec")]},
            {"scenario": "ipam", "exit": 0, "results": []},
            {"scenario": "mesh", "exit": 1, "results": [result("5 speakers", "tabby", "RSS", 300, "MiB", "memory"),
                                                        result("5 speakers", "bird", "RSS", 30, "MiB", "memory")]},
        ])
        out = report.render([d])
        self.assertIn("Tabby only, or no measurements): codec, ipam.", out)
        self.assertIn("**Failed scenarios** (their numbers may be partial): mesh (exit 1, run).", out)
        self.assertIn("**10.00**", out)

    def test_later_directory_wins_per_scenario(self):
        a = self.results_dir("a", [{"scenario": "mesh", "results": [result("5 speakers", "tabby", "converged", 9), result("5 speakers", "bird", "converged", 3)]},
                                   {"scenario": "routes", "results": [result("1M", "tabby", "CPU", 2, "s", "cpu", "routes"), result("1M", "bird", "CPU", 6, "s", "cpu", "routes")]}])
        b = self.results_dir("b", [{"scenario": "mesh", "results": [result("5 speakers", "tabby", "converged", 1), result("5 speakers", "bird", "converged", 2)]}])
        out = report.render([a, b])
        self.assertIn("| mesh | 5 speakers | converged (s) | 1.00 (n=1) | bird | 2.00 (n=1) | **0.50** |", out)
        self.assertIn("| routes | 1M | CPU (s) | 2.00 (n=1) | bird | 6.00 (n=1) | **0.33** |", out)
        self.assertNotIn("9.00", out)

    def test_invalid_results_are_rejected_with_the_field_named(self):
        d = self.results_dir("bad", [{"scenario": "mesh", "results": [result("5 speakers", "tabby", "converged", "fast")]}])
        with self.assertRaisesRegex(report.ReportError, "scenario 'mesh' result 0: value must be a number"):
            report.render([d])
        e = self.results_dir("kind", [{"scenario": "mesh", "results": [result("5 speakers", "tabby", "converged", 1, kind="speed")]}])
        with self.assertRaisesRegex(report.ReportError, "kind 'speed' is not one of"):
            report.render([e])

    def test_update_docs_replaces_only_the_marked_block_and_is_repeatable(self):
        docs = os.path.join(self.tmp.name, "benchmarks.md")
        with open(docs, "w", encoding="utf-8") as f:
            f.write(f"# Benchmarks\nintro\n{report.BEGIN}\nold table\n{report.END}\nafter\n")
        report.update_docs(docs, "new table\n")
        report.update_docs(docs, "newer table\n")
        with open(docs, encoding="utf-8") as f:
            text = f.read()
        self.assertEqual(text, f"# Benchmarks\nintro\n{report.BEGIN}\nnewer table\n{report.END}\nafter\n")

    def test_update_docs_without_markers_fails_and_leaves_the_file(self):
        docs = os.path.join(self.tmp.name, "benchmarks.md")
        with open(docs, "w", encoding="utf-8") as f:
            f.write("# Benchmarks\n")
        with self.assertRaisesRegex(report.ReportError, "generated:summary:begin"):
            report.update_docs(docs, "table\n")
        with open(docs, encoding="utf-8") as f:
            self.assertEqual(f.read(), "# Benchmarks\n")

    def test_main_exit_codes(self):
        self.assertEqual(report.main([]), 2)
        self.assertEqual(report.main([os.path.join(self.tmp.name, "missing")]), 1)


if __name__ == "__main__":
    unittest.main()
