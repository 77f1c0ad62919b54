package io.marketplaceindex.bench.read;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The words generated agents are made of. Every list is in rank order: {@link Zipf} draws rank 1 most
 * often, so the first tag and the first description word are common, the last ones rare.
 */
final class Vocabulary {

    private Vocabulary() {
    }

    // declared first: the lists below are built from them
    private static final List<String> COMMON_WORDS = List.of(
            "data", "fast", "reports", "documents", "customers", "questions", "tickets", "files", "code",
            "messages", "records", "invoices", "contracts", "emails", "tables", "images", "meetings", "orders",
            "logs", "alerts", "budgets", "calendars", "charts", "claims", "forms", "leads", "notes", "papers",
            "policies", "prices", "queries", "receipts", "reviews", "routes", "sources", "specs", "surveys",
            "tasks", "trends", "videos", "accurate", "secure", "private", "multilingual", "structured",
            "realtime", "scheduled", "weekly", "daily", "open", "verified", "compact", "detailed", "shared",
            "internal", "public", "legacy", "modern", "scanned", "handwritten", "noisy", "clean", "raw",
            "quarterly", "annual", "regional", "global", "local", "mobile", "remote", "hybrid", "bulk",
            "incremental", "streaming", "batch", "cached", "indexed", "signed", "encrypted", "archived",
            "tagged", "linked", "ranked", "filtered", "grouped", "merged", "normalized", "annotated", "labelled",
            "translated", "summarized", "checked", "approved", "rejected", "pending", "overdue", "urgent",
            "simple", "complex", "nested", "flat", "sparse", "dense", "tiny", "huge");

    /** Letters of the generated tail words: their trigrams are as varied as a natural language's. */
    private static final String[] ONSETS = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t",
            "v", "w", "x", "z", "qu", "th", "ch", "sh", "br", "tr", "st", "gl", "kr", "pl", "sk"};
    private static final String[] NUCLEI = {"a", "e", "i", "o", "u", "y", "ae", "ou", "ei", "io"};
    private static final String[] CODAS = {"", "", "", "n", "r", "s", "l", "t", "k", "m", "x", "nd", "rt", "sk"};

    /** 200 tags, most frequent first. */
    static final List<String> TAGS = tags();

    /** Description words: real words first (frequent), then generated pseudo-words (the long tail). */
    static final List<String> WORDS = words(20_000);

    static final List<String> ADJECTIVES = List.of(
            "Swift", "Quiet", "Bright", "Clever", "Nimble", "Lucid", "Brave", "Calm", "Eager", "Gentle", "Jolly",
            "Keen", "Lively", "Mighty", "Noble", "Proud", "Rapid", "Sharp", "Silent", "Witty", "Amber", "Cobalt",
            "Crimson", "Golden", "Silver", "Azure", "Polar", "Solar", "Lunar", "Hidden", "Steady", "Vivid");

    static final List<String> NOUNS = List.of(
            "Falcon", "Otter", "Scout", "Pilot", "Scribe", "Oracle", "Navigator", "Analyst", "Courier", "Ranger",
            "Sage", "Harbor", "Beacon", "Compass", "Lantern", "Atlas", "Quill", "Sentinel", "Weaver", "Tinker",
            "Archivist", "Broker", "Curator", "Drafter", "Engine", "Forge", "Guide", "Helper", "Keeper", "Mentor");

    /** Accents and mixed case: sort order is byte order of the lower-cased name (COLLATE "C"). */
    static final List<String> ACCENTED = List.of(
            "Café", "Élan", "Señor", "Zoë", "Müller", "Ångström", "Crème", "Naïve", "Façade", "Jalapeño",
            "Smørrebrød", "Déjà Vu", "Ölçü", "Čapek", "Łódź", "São Paulo", "Zürich", "Île", "Über", "Ñandú");

    static final List<String> NON_LATIN = List.of(
            "翻訳エージェント", "数据分析助手", "Переводчик", "Ωmega Analyst", "번역 도우미", "مساعد البحث",
            "Ψηφιακός Βοηθός", "सहायक एजेंट");

    /** Exact duplicates within and across registries: ties are broken by handle, then registry id. */
    static final List<String> COMMON_NAMES = List.of(
            "Translator", "Search Agent", "Research Assistant", "Code Reviewer", "Support Bot", "Data Wrangler",
            "Travel Planner", "Café Agent", "Summarizer", "Meeting Notes");

    static final List<String> ORGANIZATIONS = List.of(
            "Acme Labs", "Globex", "Initech", "Umbrella AI", "Stark Industries", "Wayne Analytics", "Hooli",
            "Pied Piper", "Vandelay Industries", "Soylent", "Cyberdyne", "Tyrell Corp", "Wonka Data",
            "Aperture Science", "Black Mesa", "Oscorp", "Massive Dynamic", "Gringotts Fintech", "Łódź Software",
            "Société Générale d'Agents", "Nakatomi", "Bluth Company", "Dunder Mifflin", "Prestige Worldwide",
            "Monsters Inc", "Krusty Krab", "Sirius Cybernetics", "Weyland-Yutani", "Zorg Industries", "Çelik AŞ");

    static final List<String> VERBS = List.of(
            "turns", "checks", "drafts", "sorts", "tracks", "explains", "reviews", "summarizes", "translates",
            "plans", "answers", "monitors", "extracts", "compares", "writes", "audits", "routes", "schedules",
            "cleans", "ranks");

    static final List<String> AUDIENCES = List.of(
            "small teams", "analysts", "developers", "support desks", "lawyers", "clinicians", "students",
            "traders", "recruiters", "marketers", "operators", "researchers", "travellers", "accountants",
            "shop owners", "editors");

    private static List<String> tags() {
        Set<String> tags = new LinkedHashSet<>(List.of(
                "search", "translation", "summarization", "code-review", "analytics", "support", "writing",
                "data-extraction", "research", "finance", "chat", "rag", "automation", "email", "scheduling",
                "security", "devops", "testing", "documentation", "marketing", "sales", "legal", "medical",
                "education", "travel", "weather", "image-generation", "speech", "music", "seo", "recruiting",
                "accounting", "compliance", "logistics", "shopping", "news", "sports", "gaming", "chemistry",
                "math", "planning", "crm", "monitoring", "nlp", "sql", "python", "javascript", "kubernetes",
                "cloud", "aws", "azure", "gcp", "blockchain", "payments", "insurance", "real-estate", "healthcare",
                "biology", "genomics", "climate", "energy", "agriculture", "manufacturing", "retail", "hr",
                "payroll", "tax", "audit", "fraud-detection", "ocr", "vision", "video", "transcription", "voice",
                "podcast", "social-media", "customer-service", "ticketing", "github", "slack", "calendar", "notes",
                "knowledge-base", "wiki", "faq", "onboarding", "tutoring", "language-learning", "recipes",
                "fitness", "nutrition", "mental-health", "events", "maps", "geospatial", "iot", "robotics",
                "automotive", "aviation", "shipping", "inventory", "procurement", "contracts", "patents",
                "accessibility", "ui-design", "ux-research", "prototyping", "cad", "architecture", "simulation",
                "forecasting", "optimization", "scraping", "etl", "data-quality", "dashboards", "reporting", "a2a",
                "mcp", "workflow", "rpa", "load-testing", "observability", "logging", "incident-response", "sre",
                "pentest", "threat-intel", "identity", "kyc", "aml", "lending", "trading", "portfolio",
                "budgeting", "invoicing", "expenses", "e-commerce", "product-search", "recommendations",
                "personalization", "ads", "copywriting", "localization", "proofreading", "grammar", "storytelling",
                "poetry", "screenwriting", "image-editing", "design", "branding", "photography", "art", "trivia",
                "quiz", "chess", "astronomy", "physics", "statistics", "ml-ops", "fine-tuning", "embeddings",
                "vector-search", "prompt-engineering", "evaluation", "red-teaming", "moderation", "safety",
                "privacy", "encryption", "backup", "migration", "legacy-code", "refactoring", "code-generation",
                "unit-tests", "api-design", "graphql", "webhooks", "newsletters", "lead-gen", "outreach",
                "negotiation", "customer-success", "surveys", "sentiment", "français", "español", "deutsch",
                "日本語", "한국어", "Ελληνικά", "café-culture", "niño-care", "crème-pâtisserie", "über-routing",
                "zk-proofs", "quantum", "cobol", "fortran", "mainframe", "sap"));
        List<String> list = new ArrayList<>(tags);
        if (list.size() < 200) {
            throw new IllegalStateException("tag vocabulary has " + list.size() + " tags");
        }
        return List.copyOf(list.subList(0, 200));
    }

    private static List<String> words(int count) {
        Set<String> words = new LinkedHashSet<>(COMMON_WORDS);
        java.util.SplittableRandom random = new java.util.SplittableRandom(20_000);
        while (words.size() < count) {
            // pseudo-words of 2 to 4 syllables (onset, nucleus, optional coda), like "strouxel" or "kaplio"
            StringBuilder word = new StringBuilder();
            int syllables = 2 + random.nextInt(3);
            for (int i = 0; i < syllables; i++) {
                word.append(ONSETS[random.nextInt(ONSETS.length)]).append(NUCLEI[random.nextInt(NUCLEI.length)])
                        .append(CODAS[random.nextInt(CODAS.length)]);
            }
            words.add(word.toString());
        }
        return List.copyOf(words);
    }
}
