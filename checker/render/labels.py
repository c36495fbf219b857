"""Every fixed label of every rendered report, in Chinese (Traditional) and English.

Templates see the labels of the report's language as ``L`` (``{{ L.violations }}``);
a label missing from this table is an error when the template renders, and a test
checks that each template only names labels defined here, in both languages.
"""

from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    # headings
    "report_title": {"zh": "合規檢查報告", "en": "Compliance report"},
    "summary": {"zh": "摘要", "en": "Summary"},
    "by_severity": {"zh": "按嚴重程度", "en": "By severity"},
    "by_regulation": {"zh": "按法規", "en": "By regulation"},
    "counts_legend": {"zh": "失敗規則數／規則數（違規筆數）", "en": "failing rules / rules (violations)"},
    "per_regulation_note": {"zh": "一筆違規計入其規則引用的每一項法規，故各法規合計可能多於總數。",
                            "en": "a violation counts under every regulation its rule cites, so these can add up "
                                  "to more than the total."},
    "by_clause": {"zh": "按條款", "en": "By clause"},
    "coverage": {"zh": "條款覆蓋矩陣", "en": "Clause coverage matrix"},
    "rules": {"zh": "規則", "en": "Rules"},
    "waivers": {"zh": "豁免", "en": "Waivers"},
    "warnings": {"zh": "警告", "en": "Warnings"},
    "evidence": {"zh": "證據", "en": "Evidence"},
    "samples": {"zh": "違規樣本", "en": "Violation samples"},
    "waived_samples": {"zh": "已豁免的違規", "en": "Waived violations"},
    "failing_rules": {"zh": "未通過的規則", "en": "Failing rules"},
    "filters": {"zh": "篩選", "en": "Filters"},
    # verdicts and statuses
    "verdict_pass": {"zh": "通過", "en": "PASS"},
    "verdict_fail": {"zh": "未通過", "en": "FAIL"},
    "status": {"zh": "狀態", "en": "Status"},
    "status_pass": {"zh": "通過", "en": "pass"},
    "status_fail": {"zh": "未通過", "en": "fail"},
    "status_error": {"zh": "錯誤", "en": "error"},
    "status_skipped": {"zh": "已略過", "en": "skipped"},
    # severities
    "severity": {"zh": "嚴重程度", "en": "Severity"},
    "severity_critical": {"zh": "嚴重", "en": "critical"},
    "severity_high": {"zh": "高", "en": "high"},
    "severity_medium": {"zh": "中", "en": "medium"},
    "severity_low": {"zh": "低", "en": "low"},
    "severity_info": {"zh": "資訊", "en": "info"},
    # numbers
    "checks": {"zh": "檢查項", "en": "Checks"},
    "passed": {"zh": "通過", "en": "Passed"},
    "failed": {"zh": "未通過", "en": "Failed"},
    "errored": {"zh": "出錯", "en": "Errored"},
    "skipped": {"zh": "略過", "en": "Skipped"},
    "violations": {"zh": "違規", "en": "Violations"},
    "waived": {"zh": "已豁免", "en": "Waived"},
    "records": {"zh": "記錄", "en": "Records"},
    "checked": {"zh": "已檢查", "en": "Checked"},
    "uncovered": {"zh": "無版本適用的記錄", "en": "Records no version covered"},
    "new": {"zh": "新增", "en": "new"},
    "existing": {"zh": "既有", "en": "existing"},
    "fixed": {"zh": "已修復", "en": "fixed"},
    "baseline": {"zh": "基線", "en": "Baseline"},
    # rule fields
    "rule": {"zh": "規則", "en": "Rule"},
    "rule_id": {"zh": "規則編號", "en": "Rule id"},
    "title": {"zh": "標題", "en": "Title"},
    "clause": {"zh": "條款", "en": "Clause"},
    "clauses": {"zh": "條款", "en": "Clauses"},
    "regulation": {"zh": "法規", "en": "Regulation"},
    "ruleset": {"zh": "規則集", "en": "Ruleset"},
    "version": {"zh": "版本", "en": "Version"},
    "versions": {"zh": "規則版本", "en": "Rule version(s)"},
    "dataset": {"zh": "資料集", "en": "Dataset"},
    "kind": {"zh": "類型", "en": "Kind"},
    "location": {"zh": "定義位置", "en": "Defined at"},
    "sql": {"zh": "執行的 SQL", "en": "SQL it ran"},
    "error": {"zh": "錯誤", "en": "Error"},
    "structural": {"zh": "結構檢查", "en": "Structural check"},
    "schemas_suite": {"zh": "資料結構", "en": "schemas"},
    # samples
    "file": {"zh": "檔案", "en": "File"},
    "row": {"zh": "行", "en": "Row"},
    "group": {"zh": "分組", "en": "group"},
    "key": {"zh": "鍵", "en": "Key"},
    "message": {"zh": "訊息", "en": "Message"},
    "waiver": {"zh": "豁免", "en": "Waiver"},
    "more_violations": {"zh": "……另有 {n} 項未列出（完整清單見 --violations-out）",
                        "en": "… {n} more not listed (--violations-out writes them all)"},
    "samples_truncated": {"zh": "為保持在 {limit} 以內，每條規則只列出前 {n} 個樣本；完整內容見結果檔或 HTML 報告。",
                          "en": "To stay under {limit}, at most {n} samples are listed per rule; "
                                "the result file and the HTML report have them all."},
    "rules_truncated": {"zh": "另有 {n} 條未通過的規則未列出。", "en": "{n} more failing rules are not listed."},
    "no_failures": {"zh": "所有規則均通過。", "en": "Every rule passed."},
    "no_samples": {"zh": "沒有樣本", "en": "no samples"},
    # coverage
    "automated_rules": {"zh": "自動化規則", "en": "Automated rules"},
    "manual_controls": {"zh": "人工控制", "en": "Manual controls"},
    "covered_by": {"zh": "覆蓋方式", "en": "Covered by"},
    "cov_automated": {"zh": "自動化", "en": "automated"},
    "cov_manual": {"zh": "人工", "en": "manual"},
    "cov_both": {"zh": "自動化 + 人工", "en": "automated + manual"},
    "cov_none": {"zh": "未覆蓋", "en": "not covered"},
    "from_catalog": {"zh": "條款來自法規目錄。", "en": "Clauses from the regulation catalog."},
    "from_results": {"zh": "未載入法規目錄：只列出規則引用的條款。",
                     "en": "No regulation catalog loaded: only the clauses the rules cite are listed."},
    # waivers
    "waivers_used": {"zh": "已使用的豁免", "en": "Waivers used"},
    "waivers_expired": {"zh": "已過期的豁免（不適用）", "en": "Expired waivers (not applied)"},
    "waivers_unmatched": {"zh": "未匹配任何違規的豁免", "en": "Waivers that matched nothing"},
    "no_waivers": {"zh": "本次檢查未使用豁免。", "en": "No waivers in this run."},
    "reason": {"zh": "理由", "en": "Reason"},
    "approved_by": {"zh": "核准人", "en": "Approved by"},
    "expires": {"zh": "到期日", "en": "Expires"},
    "matched": {"zh": "覆蓋的違規", "en": "Violations covered"},
    # evidence
    "tool": {"zh": "工具", "en": "Tool"},
    "as_of": {"zh": "評估日期", "en": "As of"},
    "rules_at": {"zh": "規則版本日期", "en": "Rules at"},
    "run_time": {"zh": "執行時間", "en": "Run time"},
    "duration": {"zh": "耗時", "en": "Duration"},
    "engine": {"zh": "引擎", "en": "Engine"},
    "fail_on": {"zh": "失敗門檻", "en": "Fails on"},
    "max_samples": {"zh": "每條規則樣本上限", "en": "Samples kept per rule"},
    "inputs": {"zh": "輸入檔案", "en": "Inputs"},
    "rulesets": {"zh": "規則集版本", "en": "Ruleset versions"},
    "path": {"zh": "路徑", "en": "Path"},
    "format": {"zh": "格式", "en": "Format"},
    "encoding": {"zh": "編碼", "en": "Encoding"},
    "sha256": {"zh": "SHA-256", "en": "SHA-256"},
    "record_count": {"zh": "記錄數", "en": "Records"},
    "code": {"zh": "代碼", "en": "Code"},
    # filter script
    "all": {"zh": "全部", "en": "All"},
    "search_samples": {"zh": "搜尋樣本…", "en": "Search samples…"},
    "shown": {"zh": "顯示 {shown} / {total} 條規則", "en": "{shown} of {total} rules shown"},
    "print_hint": {"zh": "列印本頁即可得到 PDF。", "en": "Print this page for a PDF."},
    # SARIF / JUnit / GitHub help text
    "help_rule": {"zh": "規則 {id}：{title}。條款：{clauses}。嚴重程度：{severity}。資料集：{dataset}。",
                  "en": "Rule {id}: {title}. Clauses: {clauses}. Severity: {severity}. Dataset: {dataset}."},
    "help_structural": {"zh": "資料集 {dataset} 的結構檢查（JSON Schema 關鍵字 {keyword}）。",
                        "en": "Structural check of dataset {dataset} (JSON Schema keyword {keyword})."},
    "failure_summary": {"zh": "違規 {violations}，已檢查 {checked}，已豁免 {waived}",
                        "en": "violations {violations}, checked {checked}, waived {waived}"},
    "aggregate_violations": {"zh": "{id}：違規 {n} 項", "en": "{id}: violations: {n}"},
    "not_checked": {"zh": "未檢查", "en": "not checked"},
}


def labels(lang: str) -> dict[str, str]:
    """The labels of one language (``zh`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return {key: texts[lang] for key, texts in LABELS.items()}
