package io.marketplaceindex.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class AgentNormalizerTest {

    /** Single quotes and bare names keep the case tables readable. */
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_PROPERTY_NAMES).build();
    static final RegistryRef REGISTRY = new RegistryRef("4f1b2c3d-1111-4222-8333-944455556666", "Demo",
            "https://registry.example.org");
    static final String HANDLE = "agent-one";
    static final String CARD_URL = "https://agents.example.org/agent-one/card.json";

    private final AgentNormalizer normalizer = new AgentNormalizer();

    /**
     * One field of the normalized agent for one input.
     *
     * @param record   fields added to a minimal valid record ({@code handle}, {@code agentCardUrl})
     * @param card     the card as JSON, or {@code null} for no card
     * @param expected the field's JSON, or {@code null} when the field must be absent
     */
    record Case(String name, String record, String card, String field, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, String record, String card, String field, String expected) {
        return new Case(name, record, card, field, expected);
    }

    static Stream<Case> recordAliases() {
        return Stream.of(
                c("documentationUrl", "{documentationUrl:'https://u.example/d1'}", null, "documentationUrl", "'https://u.example/d1'"),
                c("docsUrl", "{docsUrl:'https://u.example/d2'}", null, "documentationUrl", "'https://u.example/d2'"),
                c("documentation", "{documentation:'https://u.example/d3'}", null, "documentationUrl", "'https://u.example/d3'"),
                c("documentationUrl before docsUrl", "{docsUrl:'https://u.example/d2', documentationUrl:'https://u.example/d1'}", null, "documentationUrl", "'https://u.example/d1'"),
                c("docsUrl before documentation", "{documentation:'https://u.example/d3', docsUrl:'https://u.example/d2'}", null, "documentationUrl", "'https://u.example/d2'"),
                c("blank documentationUrl skipped", "{documentationUrl:'  ', docsUrl:'https://u.example/d2'}", null, "documentationUrl", "'https://u.example/d2'"),
                c("no-break space counts as blank", "{documentationUrl:'\u00a0', documentation:'https://u.example/d3'}", null, "documentationUrl", "'https://u.example/d3'"),
                c("non-string documentationUrl skipped", "{documentationUrl:5, docsUrl:'https://u.example/d2'}", null, "documentationUrl", "'https://u.example/d2'"),
                c("documentation URL with a leading space skipped", "{documentationUrl:' https://u.example/d1', docsUrl:'https://u.example/d2'}", null, "documentationUrl", "'https://u.example/d2'"),
                c("non-http documentationUrl skipped", "{documentationUrl:'javascript:alert(1)', docsUrl:'https://u.example/d2'}", null, "documentationUrl", "'https://u.example/d2'"),
                c("all documentation aliases blank", "{documentationUrl:'', docsUrl:' ', documentation:null}", null, "documentationUrl", null),

                c("sourceUrl", "{sourceUrl:'https://u.example/s1'}", null, "sourceUrl", "'https://u.example/s1'"),
                c("repositoryUrl", "{repositoryUrl:'https://u.example/s2'}", null, "sourceUrl", "'https://u.example/s2'"),
                c("repoUrl", "{repoUrl:'https://u.example/s3'}", null, "sourceUrl", "'https://u.example/s3'"),
                c("codeUrl", "{codeUrl:'https://u.example/s4'}", null, "sourceUrl", "'https://u.example/s4'"),
                c("sourceUrl before repositoryUrl", "{repositoryUrl:'https://u.example/s2', sourceUrl:'https://u.example/s1'}", null, "sourceUrl", "'https://u.example/s1'"),
                c("repositoryUrl before repoUrl", "{repoUrl:'https://u.example/s3', repositoryUrl:'https://u.example/s2'}", null, "sourceUrl", "'https://u.example/s2'"),
                c("repoUrl before codeUrl", "{codeUrl:'https://u.example/s4', repoUrl:'https://u.example/s3'}", null, "sourceUrl", "'https://u.example/s3'"),
                c("blank sourceUrl skipped", "{sourceUrl:'\\t', codeUrl:'https://u.example/s4'}", null, "sourceUrl", "'https://u.example/s4'"),
                c("non-string sourceUrl skipped", "{sourceUrl:['https://u.example/s1'], repoUrl:'https://u.example/s3'}", null, "sourceUrl", "'https://u.example/s3'"),

                c("version", "{version:'1.0.0'}", null, "version", "'1.0.0'"),
                c("revision", "{revision:'r7'}", null, "version", "'r7'"),
                c("semver", "{semver:'2.0.0'}", null, "version", "'2.0.0'"),
                c("version before revision", "{revision:'r7', version:'1.0.0'}", null, "version", "'1.0.0'"),
                c("revision before semver", "{semver:'2.0.0', revision:'r7'}", null, "version", "'r7'"),
                c("blank version skipped", "{version:'', semver:'2.0.0'}", null, "version", "'2.0.0'"),
                c("numeric version dropped", "{version:1}", null, "version", null),

                c("publishedAt", "{publishedAt:'2026-01-01'}", null, "publishedAt", "'2026-01-01'"),
                c("createdAt", "{createdAt:'2026-01-02'}", null, "publishedAt", "'2026-01-02'"),
                c("releaseDate", "{releaseDate:'2026-01-03'}", null, "publishedAt", "'2026-01-03'"),
                c("publishedAt before createdAt", "{createdAt:'2026-01-02', publishedAt:'2026-01-01'}", null, "publishedAt", "'2026-01-01'"),
                c("createdAt before releaseDate", "{releaseDate:'2026-01-03', createdAt:'2026-01-02'}", null, "publishedAt", "'2026-01-02'"),
                c("blank publishedAt skipped", "{publishedAt:' ', releaseDate:'2026-01-03'}", null, "publishedAt", "'2026-01-03'"),
                c("non-string publishedAt skipped", "{publishedAt:{}, createdAt:'2026-01-02'}", null, "publishedAt", "'2026-01-02'"),

                c("updatedAt", "{updatedAt:'2026-02-01T00:00:00Z'}", null, "updatedAt", "'2026-02-01T00:00:00Z'"),
                c("modifiedAt", "{modifiedAt:'2026-02-02'}", null, "updatedAt", "'2026-02-02'"),
                c("lastUpdated", "{lastUpdated:'2026-02-03'}", null, "updatedAt", "'2026-02-03'"),
                c("updatedAt before modifiedAt", "{modifiedAt:'2026-02-02', updatedAt:'2026-02-01'}", null, "updatedAt", "'2026-02-01'"),
                c("modifiedAt before lastUpdated", "{lastUpdated:'2026-02-03', modifiedAt:'2026-02-02'}", null, "updatedAt", "'2026-02-02'"),
                c("blank updatedAt skipped", "{updatedAt:'', lastUpdated:'2026-02-03'}", null, "updatedAt", "'2026-02-03'"),
                c("non-string updatedAt skipped", "{updatedAt:true, modifiedAt:'2026-02-02'}", null, "updatedAt", "'2026-02-02'"),

                c("pricing", "{pricing:{label:'p'}}", null, "pricing", "{label:'p'}"),
                c("piloxPricing", "{piloxPricing:{label:'x'}}", null, "pricing", "{label:'x'}"),
                c("pricingHint", "{pricingHint:{label:'h'}}", null, "pricing", "{label:'h'}"),
                c("pricing before piloxPricing", "{piloxPricing:{label:'x'}, pricing:{label:'p'}}", null, "pricing", "{label:'p'}"),
                c("piloxPricing before pricingHint", "{pricingHint:{label:'h'}, piloxPricing:{label:'x'}}", null, "pricing", "{label:'x'}"),
                c("non-object pricing skipped", "{pricing:'cheap', piloxPricing:{label:'x'}}", null, "pricing", "{label:'x'}"),
                c("empty pricing object skipped", "{pricing:{}, pricingHint:{label:'h'}}", null, "pricing", "{label:'h'}"),
                c("pricing values of any JSON type kept, nulls dropped",
                        "{pricing:{currency:'EUR', inputTokensPerMillion:1.5, notes:null}}", null, "pricing",
                        "{currency:'EUR', inputTokensPerMillion:1.5}"),
                c("no pricing object at all", "{pricing:[1], pricingHint:'free'}", null, "pricing", null),

                c("inputModalities", "{inputModalities:['text']}", null, "inputModalities", "['text']"),
                c("input_modalities", "{input_modalities:['image']}", null, "inputModalities", "['image']"),
                c("inputModalities before input_modalities", "{input_modalities:['image'], inputModalities:['text']}", null, "inputModalities", "['text']"),
                c("non-array inputModalities skipped", "{inputModalities:'text', input_modalities:['image']}", null, "inputModalities", "['image']"),
                c("non-strings and blanks dropped from inputModalities", "{inputModalities:['text', 3, '', null, 'image']}", null, "inputModalities", "['text', 'image']"),
                c("empty inputModalities array wins, as in the compatible product", "{inputModalities:[], input_modalities:['image']}", null, "inputModalities", "[]"),
                c("outputModalities", "{outputModalities:['audio']}", null, "outputModalities", "['audio']"),
                c("output_modalities", "{output_modalities:['video']}", null, "outputModalities", "['video']"),
                c("outputModalities before output_modalities", "{output_modalities:['video'], outputModalities:['audio']}", null, "outputModalities", "['audio']"),
                c("non-array outputModalities skipped", "{outputModalities:{}, output_modalities:['video']}", null, "outputModalities", "['video']"),
                c("no modalities", "{}", null, "inputModalities", null));
    }

    static Stream<Case> recordPassThrough() {
        return Stream.of(
                c("schema kept", "{schema:'hive-registry-record-v1'}", null, "schema", "'hive-registry-record-v1'"),
                c("non-string schema dropped", "{schema:1}", null, "schema", null),
                c("validUntil kept", "{validUntil:'2027-01-01T00:00:00Z'}", null, "validUntil", "'2027-01-01T00:00:00Z'"),
                c("non-string validUntil dropped", "{validUntil:1798761600}", null, "validUntil", null),
                c("ttlSecondsRecommended kept", "{ttlSecondsRecommended:3600}", null, "ttlSecondsRecommended", "3600"),
                c("string ttlSecondsRecommended dropped", "{ttlSecondsRecommended:'3600'}", null, "ttlSecondsRecommended", null),
                c("controllerDid kept", "{controllerDid:'did:web:a.example'}", null, "controllerDid", "'did:web:a.example'"),
                c("non-string controllerDid dropped", "{controllerDid:{}}", null, "controllerDid", null),
                c("didDocumentUrl kept", "{didDocumentUrl:'https://a.example/did.json'}", null, "didDocumentUrl", "'https://a.example/did.json'"),
                c("non-string didDocumentUrl dropped", "{didDocumentUrl:false}", null, "didDocumentUrl", null),
                c("meshDescriptorUrl kept", "{meshDescriptorUrl:'https://a.example/mesh'}", null, "meshDescriptorUrl", "'https://a.example/mesh'"),
                c("non-string meshDescriptorUrl dropped", "{meshDescriptorUrl:[]}", null, "meshDescriptorUrl", null),
                c("buyerInputs kept", "{buyerInputs:[{id:'k', label:'Key', kind:'secret'}]}", null, "buyerInputs", "[{id:'k', label:'Key', kind:'secret'}]"),
                c("non-object buyerInputs entries skipped", "{buyerInputs:['x', {id:'k'}, 3]}", null, "buyerInputs", "[{id:'k'}]"),
                c("non-array buyerInputs dropped", "{buyerInputs:{id:'k'}}", null, "buyerInputs", null),
                c("publicKeys kept", "{publicKeys:{ed25519:[{kid:'k1', publicKeyHex:'ab'}]}}", null, "publicKeys", "{ed25519:[{kid:'k1', publicKeyHex:'ab'}]}"),
                c("non-object publicKeys dropped", "{publicKeys:['ab']}", null, "publicKeys", null),
                c("proof kept", "{proof:{type:'ed25519', signer:'s', signingKid:'k1', sigHex:'cd'}}", null, "proof", "{type:'ed25519', signer:'s', signingKid:'k1', sigHex:'cd'}"),
                c("non-object proof dropped", "{proof:'cd'}", null, "proof", null),
                c("unknown record field ignored", "{favouriteColour:'blue'}", null, "favouriteColour", null),
                c("record name is not the agent name", "{name:'From record'}", null, "name", "'agent-one'"),
                c("record tags are not tags; capabilities are", "{tags:['t'], capabilities:['c']}", null, "tags", "['c']"));
    }

    static Stream<Case> cardFields() {
        return Stream.of(
                c("name from card", "{}", "{name:'Agent One'}", "name", "'Agent One'"),
                c("card name kept untrimmed", "{}", "{name:' Agent '}", "name", "' Agent '"),
                c("blank card name falls back to handle", "{}", "{name:'  '}", "name", "'agent-one'"),
                c("non-string card name falls back to handle", "{}", "{name:42}", "name", "'agent-one'"),
                c("missing card name falls back to handle", "{}", "{}", "name", "'agent-one'"),
                c("no card: name is the handle", "{}", null, "name", "'agent-one'"),
                c("description from card", "{}", "{description:'Does things'}", "description", "'Does things'"),
                c("non-string description dropped", "{}", "{description:['x']}", "description", null),
                c("icon from iconUrl", "{}", "{iconUrl:'https://a.example/i.png'}", "icon", "'https://a.example/i.png'"),
                c("card icon field is not read", "{}", "{icon:'https://a.example/i.png'}", "icon", null),
                c("author from provider.organization", "{}", "{provider:{organization:'Acme', url:'https://acme.example'}}", "author", "'Acme'"),
                c("non-object provider gives no author", "{}", "{provider:'Acme'}", "author", null),
                c("non-string organization gives no author", "{}", "{provider:{organization:7}}", "author", null),
                c("protocolVersion from card", "{}", "{protocolVersion:'0.3.0'}", "protocolVersion", "'0.3.0'"),
                c("non-string protocolVersion dropped", "{}", "{protocolVersion:0.3}", "protocolVersion", null),
                c("record protocolVersion is not read", "{protocolVersion:'0.3.0'}", null, "protocolVersion", null),

                c("card documentationUrl when record has none", "{}", "{documentationUrl:'https://u.example/cd'}", "documentationUrl", "'https://u.example/cd'"),
                c("card docsUrl when record has none", "{}", "{docsUrl:'https://u.example/cd2'}", "documentationUrl", "'https://u.example/cd2'"),
                c("card documentation when record has none", "{}", "{documentation:'https://u.example/cd3'}", "documentationUrl", "'https://u.example/cd3'"),
                c("card documentUrl (compatible extra alias)", "{}", "{documentUrl:'https://u.example/cd4'}", "documentationUrl", "'https://u.example/cd4'"),
                c("card documentationUrl not over the record's", "{docsUrl:'https://u.example/rd'}", "{documentationUrl:'https://u.example/cd'}", "documentationUrl", "'https://u.example/rd'"),
                c("card documentationUrl when record's is not http(s)", "{documentationUrl:'docs/index.html'}", "{documentationUrl:'https://u.example/cd'}", "documentationUrl", "'https://u.example/cd'"),
                c("blank card documentationUrl skipped", "{}", "{documentationUrl:'', docsUrl:'https://u.example/cd2'}", "documentationUrl", "'https://u.example/cd2'"),
                c("card sourceUrl when record has none", "{}", "{sourceUrl:'https://u.example/cs'}", "sourceUrl", "'https://u.example/cs'"),
                c("card repositoryUrl when record has none", "{}", "{repositoryUrl:'https://u.example/cs2'}", "sourceUrl", "'https://u.example/cs2'"),
                c("card repoUrl when record has none", "{}", "{repoUrl:'https://u.example/cs3'}", "sourceUrl", "'https://u.example/cs3'"),
                c("card codeUrl when record has none", "{}", "{codeUrl:'https://u.example/cs4'}", "sourceUrl", "'https://u.example/cs4'"),
                c("card sourceUrl not over the record's", "{codeUrl:'https://u.example/rs'}", "{sourceUrl:'https://u.example/cs'}", "sourceUrl", "'https://u.example/rs'"),
                c("card version is not read", "{}", "{version:'9'}", "version", null),

                c("jsonRpcUrl from card url", "{}", "{url:'https://a.example/rpc'}", "jsonRpcUrl", "'https://a.example/rpc'"),
                c("plain http card url accepted", "{}", "{url:'http://a.example/rpc'}", "jsonRpcUrl", "'http://a.example/rpc'"),
                c("card url before extension and service", "{}",
                        "{url:'https://a.example/direct', capabilities:{extensions:[{uri:'https://a2a.org/extensions/jsonrpc', params:{url:'https://a.example/ext'}}]}, services:[{type:'jsonrpc', url:'https://a.example/svc'}]}",
                        "jsonRpcUrl", "'https://a.example/direct'"),
                c("non-http card url falls back to the extension", "{}",
                        "{url:'/relative/rpc', capabilities:{extensions:[{uri:'https://a2a.org/extensions/jsonrpc', params:{url:'https://a.example/ext'}}]}}",
                        "jsonRpcUrl", "'https://a.example/ext'"),
                c("non-string card url falls back to the extension", "{}",
                        "{url:{href:'https://a.example/x'}, capabilities:{extensions:[{uri:'https://a2a.org/extensions/jsonrpc', params:{url:'https://a.example/ext'}}]}}",
                        "jsonRpcUrl", "'https://a.example/ext'"),
                c("extension with another uri ignored", "{}",
                        "{capabilities:{extensions:[{uri:'https://a2a.org/extensions/other', params:{url:'https://a.example/other'}}, {uri:'https://a2a.org/extensions/jsonrpc', params:{url:'https://a.example/ext'}}]}}",
                        "jsonRpcUrl", "'https://a.example/ext'"),
                c("extension before services", "{}",
                        "{capabilities:{extensions:[{uri:'https://a2a.org/extensions/jsonrpc', params:{url:'https://a.example/ext'}}]}, services:[{type:'jsonrpc', url:'https://a.example/svc'}]}",
                        "jsonRpcUrl", "'https://a.example/ext'"),
                c("non-http extension url falls back to services", "{}",
                        "{capabilities:{extensions:[{uri:'https://a2a.org/extensions/jsonrpc', params:{url:'javascript:alert(1)'}}]}, services:[{type:'jsonrpc', url:'https://a.example/svc'}]}",
                        "jsonRpcUrl", "'https://a.example/svc'"),
                c("jsonrpc service", "{}", "{services:[{type:'rest', url:'https://a.example/rest'}, {type:'jsonrpc', url:'https://a.example/svc'}, {type:'jsonrpc', url:'https://a.example/svc2'}]}",
                        "jsonRpcUrl", "'https://a.example/svc'"),
                c("non-http service url skipped", "{}", "{services:[{type:'jsonrpc', url:'ws://a.example/svc'}, {type:'jsonrpc', url:'https://a.example/svc2'}]}",
                        "jsonRpcUrl", "'https://a.example/svc2'"),
                c("no jsonrpc endpoint anywhere", "{}", "{url:'ftp://a.example', services:[{type:'rest', url:'https://a.example/rest'}], capabilities:{streaming:true}}",
                        "jsonRpcUrl", null),
                c("no card: no jsonRpcUrl", "{}", null, "jsonRpcUrl", null),

                c("card metadata.pricing merged over the record's, card keys win", "{pricing:{currency:'USD', label:'record'}}",
                        "{metadata:{pricing:{label:'card'}}}", "pricing", "{currency:'USD', label:'card'}"),
                c("card metadata.piloxPricing", "{pricing:{currency:'USD'}}", "{metadata:{piloxPricing:{label:'m2'}}}", "pricing", "{currency:'USD', label:'m2'}"),
                c("card metadata.catalogPricing", "{pricing:{currency:'USD'}}", "{metadata:{catalogPricing:{label:'m3'}}}", "pricing", "{currency:'USD', label:'m3'}"),
                c("card metadata.pricing before metadata.piloxPricing", "{}", "{metadata:{piloxPricing:{label:'m2'}, pricing:{label:'m1'}}}", "pricing", "{label:'m1'}"),
                c("card top-level pricing", "{pricing:{currency:'USD'}}", "{pricing:{label:'t1'}}", "pricing", "{currency:'USD', label:'t1'}"),
                c("card top-level piloxPricing", "{pricing:{currency:'USD'}}", "{piloxPricing:{label:'t2'}}", "pricing", "{currency:'USD', label:'t2'}"),
                c("card top-level pricing before piloxPricing", "{}", "{piloxPricing:{label:'t2'}, pricing:{label:'t1'}}", "pricing", "{label:'t1'}"),
                c("card top-level pricing wins over card metadata", "{pricing:{currency:'USD'}}",
                        "{metadata:{pricing:{label:'m', notes:'n'}}, pricing:{label:'t'}}", "pricing", "{currency:'USD', label:'t', notes:'n'}"),
                c("card pricing alone", "{}", "{pricing:{label:'t1'}}", "pricing", "{label:'t1'}"),
                c("merge is shallow", "{pricing:{tiers:{a:1, b:2}}}", "{pricing:{tiers:{a:3}}}", "pricing", "{tiers:{a:3}}"),
                c("non-object card pricing leaves the record's", "{pricing:{label:'r'}}", "{pricing:'free', metadata:'x'}", "pricing", "{label:'r'}"),
                c("record's own pricing with no card pricing", "{piloxPricing:{label:'r'}}", "{}", "pricing", "{label:'r'}"),

                c("skill id default is skill-{index}", "{}", "{skills:[{name:'a'}, {id:'given', name:'b'}, {name:'c'}]}", "skills",
                        "[{id:'skill-0', name:'a', tags:[]}, {id:'given', name:'b', tags:[]}, {id:'skill-2', name:'c', tags:[]}]"),
                c("blank or non-string skill id gets the default", "{}", "{skills:[{id:' '}, {id:5}]}", "skills",
                        "[{id:'skill-0', tags:[]}, {id:'skill-1', tags:[]}]"),
                c("non-object skills skipped, default ids keep their position", "{}", "{skills:['junk', null, {name:'c'}]}", "skills",
                        "[{id:'skill-2', name:'c', tags:[]}]"),
                c("skill fields: id, name, description, tags; others dropped", "{}",
                        "{skills:[{id:'s', name:'n', description:'d', tags:['t'], examples:['e'], inputModes:['text']}]}", "skills",
                        "[{id:'s', name:'n', description:'d', tags:['t']}]"),
                c("wrong-typed skill fields dropped", "{}", "{skills:[{id:'s', name:1, description:{}, tags:'t'}]}", "skills",
                        "[{id:'s', tags:[]}]"),
                c("skill tags: non-strings and blanks dropped", "{}", "{skills:[{id:'s', tags:['a', 1, ' ', 'b']}]}", "skills",
                        "[{id:'s', tags:['a', 'b']}]"),
                c("empty skills array kept", "{}", "{skills:[]}", "skills", "[]"),
                c("non-array skills dropped", "{}", "{skills:{id:'s'}}", "skills", null),

                c("tags start as capabilities", "{capabilities:['chat', 'search']}", null, "tags", "['chat', 'search']"),
                c("non-string and blank capabilities dropped", "{capabilities:['chat', 7, {}, '', 'search']}", null, "tags", "['chat', 'search']"),
                c("non-array capabilities give no tags", "{capabilities:'chat'}", null, "tags", "[]"),
                c("skill tags added after capabilities", "{capabilities:['chat']}", "{skills:[{tags:['code']}, {tags:['math']}]}", "tags", "['chat', 'code', 'math']"),
                c("tags deduplicated across capabilities and skills, first appearance kept", "{capabilities:['b', 'a', 'b']}",
                        "{skills:[{tags:['a', 'c']}, {tags:['c', 'b', 'd']}]}", "tags", "['b', 'a', 'c', 'd']"),
                c("tags are case-sensitive", "{capabilities:['Chat']}", "{skills:[{tags:['chat']}]}", "tags", "['Chat', 'chat']"),
                c("skill tags alone", "{}", "{skills:[{tags:['x']}]}", "tags", "['x']"),

                c("array card: record-only agent", "{capabilities:['chat']}", "[{name:'x'}]", "name", "'agent-one'"),
                c("string card: record-only agent", "{}", "'not a card'", "name", "'agent-one'"),
                c("JSON null card: record-only agent", "{}", "null", "skills", null),
                c("array card adds no tags", "{capabilities:['chat']}", "[{skills:[{tags:['x']}]}]", "tags", "['chat']"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"recordAliases", "recordPassThrough", "cardFields"})
    void mergeRule(Case c) {
        ObjectNode agent = normalize(c.record(), c.card()).orElseThrow();
        if (c.expected() == null) {
            assertThat(agent.has(c.field())).as("%s present in %s", c.field(), agent).isFalse();
        } else {
            assertThat(agent.get(c.field())).as("%s of %s", c.field(), agent).isEqualTo(json(c.expected()));
        }
    }

    static Stream<Case> skipped() {
        return Stream.of(
                c("record is JSON null", "null", null, null, null),
                c("record is an array", "[{handle:'agent-one', agentCardUrl:'https://a.example/c'}]", null, null, null),
                c("record is a string", "'agent-one'", null, null, null),
                c("no handle", "{agentCardUrl:'https://a.example/c'}", null, null, null),
                c("numeric handle", "{handle:12345678, agentCardUrl:'https://a.example/c'}", null, null, null),
                c("null handle", "{handle:null, agentCardUrl:'https://a.example/c'}", null, null, null),
                c("no agentCardUrl", "{handle:'agent-one'}", null, null, null),
                c("object agentCardUrl", "{handle:'agent-one', agentCardUrl:{href:'https://a.example/c'}}", null, null, null),
                c("handle with U+0000 (not storable)", "{handle:'agent\\u0000one', agentCardUrl:'https://a.example/c'}", null, null, null),
                c("a good card does not rescue a bad record", "{handle:1, agentCardUrl:'https://a.example/c'}", "{name:'x'}", null, null),
                c("blank handle", "{handle:' ', agentCardUrl:'https://a.example/c'}", null, null, null),
                c("handle with a control character", "{handle:'agent\\none', agentCardUrl:'https://a.example/c'}", null, null, null),
                c("agentCardUrl not a URL", "{handle:'agent-one', agentCardUrl:'not a url'}", null, null, null),
                c("javascript: agentCardUrl", "{handle:'agent-one', agentCardUrl:'javascript:alert(1)'}", null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("skipped")
    void recordsWithoutStringHandleAndCardUrlAreSkipped(Case c) {
        JsonNode card = c.card() == null ? null : json(c.card());
        assertThat(normalizer.normalize(json(c.record()), card, REGISTRY)).isEmpty();
        assertThat(normalizer.normalize(null, card, REGISTRY)).isEmpty();
    }

    @Test
    void lenientAboutEverythingElse() {
        ObjectNode agent = normalizer.normalize(json("{handle:'a', agentCardUrl:'HTTP://a.example/c', updatedAt:5}"), null, REGISTRY)
                .orElseThrow();
        assertThat(agent.get("handle").stringValue()).isEqualTo("a");
        assertThat(agent.get("agentCardUrl").stringValue()).isEqualTo("HTTP://a.example/c");
        assertThat(agent.has("updatedAt")).isFalse();
    }

    @Test
    void alwaysPresentFields() {
        ObjectNode agent = normalize("{}", null).orElseThrow();
        assertThat(agent.propertyNames()).containsExactly(
                "handle", "name", "tags", "agentCardUrl", "registryId", "registryName", "registryUrl");
        assertThat(agent).isEqualTo(json("{handle:'agent-one', name:'agent-one', tags:[],"
                + " agentCardUrl:'https://agents.example.org/agent-one/card.json',"
                + " registryId:'4f1b2c3d-1111-4222-8333-944455556666', registryName:'Demo',"
                + " registryUrl:'https://registry.example.org'}"));
    }

    @Test
    void keysComeInTheDocumentedOrderWhateverTheInputOrder() {
        ObjectNode agent = normalize(FULL_RECORD, FULL_CARD).orElseThrow();
        assertThat(agent.propertyNames()).containsExactlyElementsOf(AgentNormalizer.FIELD_ORDER);

        ObjectNode reversedRecord = reversed((ObjectNode) json(FULL_RECORD));
        reversedRecord.put("handle", HANDLE).put("agentCardUrl", CARD_URL);
        ObjectNode fromReversed = normalizer.normalize(reversedRecord, reversed((ObjectNode) json(FULL_CARD)), REGISTRY)
                .orElseThrow();
        assertThat(fromReversed.propertyNames()).containsExactlyElementsOf(AgentNormalizer.FIELD_ORDER);
    }

    @Test
    void sameInputsGiveByteIdenticalJson() {
        byte[] first = JSON.writeValueAsBytes(normalize(FULL_RECORD, FULL_CARD).orElseThrow());
        byte[] second = JSON.writeValueAsBytes(new AgentNormalizer().normalize(
                record(FULL_RECORD), json(FULL_CARD), new RegistryRef(REGISTRY.id(), REGISTRY.name(), REGISTRY.url()))
                .orElseThrow());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void outputSharesNoMutableNodeWithTheInputs() {
        ObjectNode record = record(FULL_RECORD);
        JsonNode card = json(FULL_CARD);
        ObjectNode recordBefore = record.deepCopy();
        JsonNode cardBefore = card.deepCopy();

        ObjectNode agent = normalizer.normalize(record, card, REGISTRY).orElseThrow();
        ((ObjectNode) agent.get("pricing")).put("label", "changed");
        ((ObjectNode) agent.get("publicKeys")).removeAll();
        ((ArrayNode) agent.get("buyerInputs")).removeAll();

        assertThat(record).isEqualTo(recordBefore);
        assertThat(card).isEqualTo(cardBefore);
    }

    // ---- URLs: absolute http(s) or dropped, so no client rendering them is handed a script ----

    static Stream<Arguments> urls() {
        return Stream.of(
                arguments("https", "https://a.example/x", true),
                arguments("http", "http://a.example", true),
                arguments("scheme in capitals", "HTTPS://A.EXAMPLE/x?q=1#f", true),
                arguments("javascript:", "javascript:alert(1)", false),
                arguments("javascript: in mixed case", "JaVaScRiPt:alert(1)", false),
                arguments("javascript: behind a tab", "java\tscript:alert(1)", false),
                arguments("data:", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", false),
                arguments("vbscript:", "vbscript:msgbox(1)", false),
                arguments("file:", "file:///etc/passwd", false),
                arguments("ftp:", "ftp://a.example/x", false),
                arguments("leading space", " https://a.example/x", false),
                arguments("leading tab", "\thttps://a.example/x", false),
                arguments("leading control character", "\u0001https://a.example/x", false),
                arguments("leading no-break space", "\u00a0https://a.example/x", false),
                arguments("newline inside", "https://a.example/\nx", false),
                arguments("space inside", "https://a.example/a b", false),
                arguments("C1 control inside", "https://a.example/\u0085", false),
                arguments("relative path", "/relative/path", false),
                arguments("relative file", "docs/index.html", false),
                arguments("protocol-relative", "//a.example/x", false),
                arguments("no host", "https:///x", false),
                arguments("scheme only", "https://", false),
                arguments("scheme without slashes", "https:a.example", false),
                arguments("prefix http but another scheme", "httpx://a.example", false),
                arguments("over the URL budget", "https://a.example/" + "p".repeat(AgentBudgets.URL_JSON_BYTES), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("urls")
    void everyUrlFieldIsHttpOrDropped(String name, String url, boolean kept) {
        ObjectNode record = record("{}");
        for (String field : List.of("documentationUrl", "sourceUrl", "didDocumentUrl", "meshDescriptorUrl")) {
            record.put(field, url);
        }
        record.putObject("pricing").put("termsUrl", url).put("label", "p");
        ObjectNode card = JsonNodeFactory.instance.objectNode();
        card.put("iconUrl", url).put("url", url);

        ObjectNode agent = normalizer.normalize(record, card, REGISTRY).orElseThrow();
        for (String field : List.of("documentationUrl", "sourceUrl", "didDocumentUrl", "meshDescriptorUrl", "icon", "jsonRpcUrl")) {
            if (kept) {
                assertThat(agent.get(field).stringValue()).as(field).isEqualTo(url);
            } else {
                assertThat(agent.has(field)).as(field).isFalse();
            }
        }
        assertThat(agent.get("pricing").has("termsUrl")).isEqualTo(kept);

        // the card URL is required: an agent whose card URL is not http(s) is refused, not linked
        ObjectNode withCard = record("{}").put("agentCardUrl", url);
        AgentNormalizer.Result result = normalizer.normalizeOrExplain(withCard, null, REGISTRY);
        assertThat(result.agent() != null).isEqualTo(kept);
        if (!kept) {
            assertThat(result.kind()).isEqualTo("malformed_record");
        }
    }

    // ---- hostile sizes: every value within its budget (AgentBudgets) ----

    @Test
    void textIsTruncatedAtACodePointBoundary() {
        // a 3,000-character name made the registry's every commit fail: the index entry was too large
        String emoji = "\uD83D\uDE00";
        String name = "n".repeat(AgentBudgets.NAME_CODE_POINTS - 1) + emoji + "tail";
        ObjectNode agent = normalize("{}", "{name:'" + name + "', description:'" + "d".repeat(3000)
                + "', provider:{organization:'" + "o".repeat(300) + "'}}").orElseThrow();
        String kept = agent.get("name").stringValue();
        assertThat(kept.codePointCount(0, kept.length())).isEqualTo(AgentBudgets.NAME_CODE_POINTS);
        assertThat(kept).endsWith(emoji); // the pair is whole, never a lone surrogate
        assertThat(agent.get("description").stringValue()).hasSize(AgentBudgets.DESCRIPTION_CODE_POINTS);
        assertThat(agent.get("author").stringValue()).hasSize(AgentBudgets.AUTHOR_CODE_POINTS);

        String cut = normalize("{}", "{name:'" + "n".repeat(AgentBudgets.NAME_CODE_POINTS - 1) + emoji + "'}")
                .orElseThrow().get("name").stringValue();
        assertThat(cut).endsWith(emoji);
        String beforePair = normalize("{}", "{name:'" + "n".repeat(AgentBudgets.NAME_CODE_POINTS) + emoji + "'}")
                .orElseThrow().get("name").stringValue();
        assertThat(beforePair).isEqualTo("n".repeat(AgentBudgets.NAME_CODE_POINTS));
    }

    @Test
    void identifiersUrlsAndDatesOverTheirBudgetAreDroppedNotCut() {
        String longUrl = "https://a.example/" + "p".repeat(AgentBudgets.URL_JSON_BYTES);
        ObjectNode agent = normalize("{documentationUrl:'" + longUrl + "', docsUrl:'https://a.example/short',"
                + " version:'" + "1".repeat(300) + "', revision:'r7', schema:'" + "s".repeat(300) + "'}", null).orElseThrow();
        assertThat(agent.get("documentationUrl").stringValue()).isEqualTo("https://a.example/short");
        assertThat(agent.get("version").stringValue()).isEqualTo("r7");
        assertThat(agent.has("schema")).isFalse();

        String over = "h".repeat(Handles.MAX_LENGTH + 1);
        assertThat(normalizer.normalizeOrExplain(json("{handle:'" + over + "', agentCardUrl:'" + CARD_URL + "'}"), null, REGISTRY)
                .kind()).isEqualTo("malformed_record");
        assertThat(normalizer.normalize(json("{handle:'x', agentCardUrl:'" + longUrl + "'}"), null, REGISTRY)).isEmpty();
    }

    @Test
    void tagsAreCutAndBoundedInCountAndBytes() {
        ObjectNode agent = normalize("{capabilities:['" + "t".repeat(3000) + "', 'ok', 'ok']}", null).orElseThrow();
        assertThat(tags(agent)).containsExactly("t".repeat(AgentBudgets.TAG_CODE_POINTS), "ok");

        // 64-code-point tags: the byte budget of the whole array is reached before the count
        List<String> long64 = IntStream.range(0, 40).mapToObj(i -> String.format("%02d", i) + "x".repeat(62)).toList();
        ObjectNode many = normalize("{capabilities:" + long64.stream().map(t -> "'" + t + "'").toList() + "}", null).orElseThrow();
        assertThat(tags(many)).hasSize(15).containsExactlyElementsOf(long64.subList(0, 15));
        assertThat(AgentIndexFields.canonicalBytes(many.get("tags")).length).isLessThanOrEqualTo(AgentBudgets.TAGS_JSON_BYTES);
        // a smaller tag after the budget was reached still fits in the room left
        ObjectNode later = normalize("{capabilities:" + long64.stream().map(t -> "'" + t + "'").toList() + "}",
                "{skills:[{tags:['a']}]}").orElseThrow();
        assertThat(tags(later)).hasSize(16).endsWith("a");
    }

    @Test
    void atMost64CapabilitiesAreTaken() {
        ObjectNode agent = normalize("{capabilities:" + strings("cap", 100) + "}", null).orElseThrow();
        assertThat(tags(agent)).hasSize(64).startsWith("cap0").endsWith("cap63");
    }

    @Test
    void atMost64TagsInAll() {
        String skills = IntStream.range(0, 10)
                .mapToObj(s -> "{tags:" + strings("s" + s + "t", 40) + "}")
                .reduce((a, b) -> a + "," + b).orElseThrow();
        ObjectNode agent = normalize("{capabilities:" + strings("cap", 10) + "}", "{skills:[" + skills + "]}").orElseThrow();
        List<String> tags = tags(agent);
        assertThat(tags).hasSize(AgentBudgets.TAGS).doesNotHaveDuplicates();
        assertThat(tags.subList(0, 10)).allMatch(t -> t.startsWith("cap"));
        assertThat(tags.get(10)).isEqualTo("s0t0");
        // every skill still lists its own tags, up to its budget
        assertThat(agent.get("skills").get(9).get("tags")).hasSize(AgentBudgets.SKILL_TAGS);
    }

    @Test
    void atMost64SkillsAndAtMost16TagsPerSkill() {
        String skills = IntStream.range(0, 200).mapToObj(i -> "{name:'s" + i + "'}")
                .reduce((a, b) -> a + "," + b).orElseThrow();
        ObjectNode agent = normalize("{}", "{skills:[{tags:" + strings("t", 100) + "}," + skills + "]}").orElseThrow();
        assertThat(agent.get("skills")).hasSize(AgentBudgets.SKILLS);
        assertThat(agent.get("skills").get(0).get("tags")).hasSize(AgentBudgets.SKILL_TAGS);
        assertThat(agent.get("skills").get(63).get("id").stringValue()).isEqualTo("skill-63");
        assertThat(tags(agent)).hasSize(AgentBudgets.SKILL_TAGS);
    }

    @Test
    void skillsPastTheirByteBudgetAreLeftOutWithTheirTags() {
        String description = "d".repeat(AgentBudgets.SKILL_DESCRIPTION_CODE_POINTS);
        String skills = IntStream.range(0, 20).mapToObj(i -> "{id:'k" + i + "', description:'" + description + "', tags:['t" + i + "']}")
                .reduce((a, b) -> a + "," + b).orElseThrow();
        ObjectNode agent = normalize("{}", "{skills:[" + skills + ", {id:'small', tags:['last']}]}").orElseThrow();
        JsonNode kept = agent.get("skills");
        assertThat(kept.size()).isBetween(2, 20);
        assertThat(kept.get(kept.size() - 1).get("id").stringValue()).isEqualTo("small");
        assertThat(AgentIndexFields.canonicalBytes(kept).length).isLessThanOrEqualTo(AgentBudgets.SKILLS_JSON_BYTES);
        assertThat(tags(agent)).hasSize(kept.size()).endsWith("last");

        ObjectNode cut = normalize("{}", "{skills:[{description:'" + description + "xyz'}]}").orElseThrow();
        assertThat(cut.get("skills").get(0).get("description").stringValue()).isEqualTo(description);
    }

    @Test
    void atMost32BuyerInputsAnd16Modalities() {
        String inputs = IntStream.range(0, 100).mapToObj(i -> "{id:'i" + i + "'}")
                .reduce((a, b) -> a + "," + b).orElseThrow();
        ObjectNode agent = normalize("{buyerInputs:[" + inputs + "], inputModalities:" + strings("m", 100)
                + ", outputModalities:['" + "m".repeat(100) + "', 'text']}", null).orElseThrow();
        assertThat(agent.get("buyerInputs")).hasSize(AgentBudgets.BUYER_INPUTS);
        assertThat(agent.get("inputModalities")).hasSize(AgentBudgets.MODALITIES);
        assertThat(agent.get("outputModalities")).isEqualTo(json("['text']"));
    }

    @Test
    void passThroughValuesAreBoundedInDepthWidthAndBytes() {
        ObjectNode deep = JsonNodeFactory.instance.objectNode();
        ObjectNode cursor = deep;
        for (int i = 0; i < 40; i++) {
            cursor = cursor.putObject("n");
        }
        ObjectNode record = record("{}");
        record.set("proof", deep);
        ArrayNode wide = record.putObject("publicKeys").putArray("ed25519");
        IntStream.range(0, 1000).forEach(wide::add);
        ObjectNode pricing = record.putObject("pricing");
        IntStream.range(0, 100).forEach(i -> pricing.put("k" + i, "v".repeat(100)));

        ObjectNode agent = normalizer.normalize(record, null, REGISTRY).orElseThrow();
        int depth = 0;
        for (JsonNode n = agent.get("proof"); n != null && n.isObject(); n = n.get("n")) {
            depth++;
        }
        assertThat(depth).isEqualTo(AgentBudgets.COPY_DEPTH);
        assertThat(agent.get("publicKeys").get("ed25519")).hasSize(AgentBudgets.COPY_ENTRIES);
        assertThat(agent.get("pricing").size()).isBetween(30, 40);
        assertThat(AgentIndexFields.canonicalBytes(agent.get("pricing")).length).isLessThanOrEqualTo(AgentBudgets.PRICING_JSON_BYTES);
    }

    @Test
    void anAgentOverItsWholeBudgetIsRefusedWithAReason() {
        ObjectNode record = record("{}");
        String controls = "\u0001".repeat(AgentBudgets.DESCRIPTION_CODE_POINTS);
        for (String field : List.of("pricing", "publicKeys", "proof")) {
            ObjectNode value = record.putObject(field);
            IntStream.range(0, 40).forEach(i -> value.put("k" + i, "v".repeat(90)));
        }
        ArrayNode inputs = record.putArray("buyerInputs");
        IntStream.range(0, 32).forEach(i -> inputs.addObject().put("label", "l".repeat(240)));
        ObjectNode card = (ObjectNode) json("{skills:[]}");
        card.put("description", controls);
        ArrayNode skills = (ArrayNode) card.get("skills");
        IntStream.range(0, 64).forEach(i -> skills.addObject().put("id", "k" + i).put("description", "d".repeat(180)));

        AgentNormalizer.Result result = normalizer.normalizeOrExplain(record, card, REGISTRY);
        assertThat(result.agent()).isNull();
        assertThat(result.kind()).isEqualTo("over_budget");
        assertThat(result.reason()).contains("over the budget of " + AgentBudgets.AGENT_JSON_BYTES);
    }

    @Test
    void stringsPostgresCannotStoreAreDropped() {
        ObjectNode agent = normalize("{version:'1\\u0000', revision:'r\\ud800', semver:'2.0.0', pricing:{'k\\u0000':'v', label:'l'}}",
                "{description:'bad\\udc00'}").orElseThrow();
        assertThat(agent.get("version").stringValue()).isEqualTo("2.0.0");
        assertThat(agent.get("pricing")).isEqualTo(json("{label:'l'}"));
        assertThat(agent.has("description")).isFalse();
        // a properly paired surrogate (an emoji) is fine
        assertThat(normalize("{}", "{description:'\\ud83d\\ude00'}").orElseThrow().get("description").stringValue())
                .isEqualTo("\uD83D\uDE00");
    }

    // ---- fixtures and helpers ----

    static final String FULL_RECORD = "{schema:'pilox-registry-record-v1', updatedAt:'2026-11-26T10:00:00Z',"
            + " validUntil:'2027-01-01T00:00:00Z', ttlSecondsRecommended:600, controllerDid:'did:web:a.example',"
            + " didDocumentUrl:'https://a.example/did.json', meshDescriptorUrl:'https://a.example/mesh.json',"
            + " capabilities:['chat', 'search'], documentationUrl:'https://a.example/docs', sourceUrl:'https://git.example/a',"
            + " version:'1.2.3', publishedAt:'2026-01-01T00:00:00Z', inputModalities:['text'], outputModalities:['text', 'image'],"
            + " pricing:{currency:'USD', label:'record', inputTokensPerMillion:1.5, outputTokensPerMillion:3},"
            + " buyerInputs:[{id:'api-key', label:'API key', kind:'secret'}],"
            + " publicKeys:{ed25519:[{kid:'k1', publicKeyHex:'abcd'}]},"
            + " proof:{type:'ed25519', signer:'did:web:a.example', signingKid:'k1', sigHex:'ef01'}}";

    static final String FULL_CARD = "{name:'Agent One', description:'Answers questions', iconUrl:'https://a.example/icon.png',"
            + " provider:{organization:'Acme'}, protocolVersion:'0.3.0', url:'https://a.example/rpc',"
            + " skills:[{id:'qa', name:'Q&A', description:'answers', tags:['qa', 'chat']}, {name:'find', tags:['search', 'web']}],"
            + " metadata:{pricing:{label:'card', notes:'per call'}}}";

    private Optional<ObjectNode> normalize(String recordExtra, String card) {
        return normalizer.normalize(record(recordExtra), card == null ? null : json(card), REGISTRY);
    }

    static ObjectNode record(String extra) {
        ObjectNode record = JsonNodeFactory.instance.objectNode();
        record.put("handle", HANDLE);
        record.put("agentCardUrl", CARD_URL);
        record.setAll((ObjectNode) json(extra));
        return record;
    }

    static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    private static ObjectNode reversed(ObjectNode node) {
        List<String> names = new ArrayList<>(node.propertyNames());
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (int i = names.size() - 1; i >= 0; i--) {
            out.set(names.get(i), node.get(names.get(i)));
        }
        return out;
    }

    private static String strings(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> "'" + prefix + i + "'")
                .reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]").orElse("[]");
    }

    private static List<String> tags(JsonNode agent) {
        List<String> tags = new ArrayList<>();
        agent.get("tags").forEach(t -> tags.add(t.stringValue()));
        return tags;
    }
}
