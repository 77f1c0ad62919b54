package io.marketplaceindex.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Map;

/**
 * A query parameter carrying U+0000 (in a {@code q}, a tag, a cursor) would fail its statement and
 * answer 500. Refused here, once for every endpoint, with the 400 and reason every bad value gets.
 */
@Component
class UnstorableParameterFilter extends OncePerRequestFilter {

    private final JsonMapper json;

    UnstorableParameterFilter(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
            String name = parameter.getKey();
            for (String value : parameter.getValue()) {
                if (StorableText.holdsNul(name) || StorableText.holdsNul(value)) {
                    String field = StorableText.holdsNul(name) ? "a parameter name" : "parameter '" + name + "'";
                    response.setStatus(HttpStatus.BAD_REQUEST.value());
                    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                    json.writeValue(response.getOutputStream(),
                            ApiErrors.body(HttpStatus.BAD_REQUEST, StorableText.refusal(field)).getBody());
                    return;
                }
            }
        }
        chain.doFilter(request, response);
    }
}
